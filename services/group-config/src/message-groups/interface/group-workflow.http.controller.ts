import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiIfMatch, ApiProblems, CorrelationId, parseIfMatch } from '@gm/service-kit';
import type { Response } from 'express';
import { GetGroupWorkflowQuery } from '../application/get-group-workflow/get-group-workflow.query.js';
import type { GroupWorkflowView } from '../application/group-workflow-view.js';
import { ReplaceGroupWorkflowCommand } from '../application/replace-group-workflow/replace-group-workflow.command.js';
import { GroupWorkflowDto, GroupWorkflowViewDto, toWorkflowDraft } from './group-workflow.dto.js';
import { GROUP_ID_PATTERN } from './message-group.dto.js';

const ETAG = {
  ETag: {
    description: 'The stored version, quoted ("0": never set): send it back in If-Match.',
    schema: { type: 'string' },
  },
};
const GroupIdParam = () =>
  ApiParam({ name: 'groupId', schema: { type: 'string', pattern: GROUP_ID_PATTERN } });
const WORKFLOW_RULES =
  'The body breaks a rule: `validation-failed` (with `errors`: a setting missing, of the wrong type, or an unknown field), `invalid-text`, `response-target-out-of-range`, `return-to-queue-out-of-range`, `unknown-time-zone`, `business-hours-never-open`, `too-many-openings`, `invalid-time-of-day`, `opening-closes-before-opens`, `openings-overlap`, `too-many-closed-dates`, `invalid-closed-date`, `duplicate-closed-date`, `acknowledgement-needs-business-hours`, `acknowledgement-text-required`, `acknowledgement-text-too-long`, `acknowledgement-text-invalid-characters`, `capacity-out-of-range`, `capacity-needs-automatic-assignment`.';

/**
 * A group's workflow settings: first-response target, business hours,
 * automatic acknowledgement, return to queue, automatic assignment. Seen by
 * the group's members, changed by its Admins; holders of Settings > Messages
 * > Practice Access do both. Unknown, deleted and other practices' groups are 404 group-not-found.
 */
@ApiTags('message groups')
@ApiBearerAuth()
@Actors('member')
@Controller('message-groups')
export class GroupWorkflowHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get(':groupId/workflow')
  @ApiOperation({
    summary: "A group's workflow settings (the defaults at version 0 if never set).",
  })
  @GroupIdParam()
  @ApiOkResponse({ type: GroupWorkflowViewDto, headers: ETAG })
  @ApiProblems({
    403: '`group-member-required`: neither a member of the group nor a Practice Access holder.',
    404: '`group-not-found`.',
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GroupWorkflowView> {
    const view = await this.queries.execute(new GetGroupWorkflowQuery(caller, groupId));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put(':groupId/workflow')
  @ApiOperation({
    summary:
      "Replace a group's workflow settings (every setting sent, null: none; assignment left out: off). A replacement that changes nothing answers the stored version and publishes nothing.",
  })
  @ApiIfMatch(
    'The version read (its ETag, "0" if never set); 409 workflow-changed-meanwhile if it moved on, 400 invalid-if-match if it is not a version.',
  )
  @GroupIdParam()
  @ApiOkResponse({ type: GroupWorkflowViewDto, headers: ETAG })
  @ApiProblems({
    403: '`group-admin-required`: neither an Admin of the group nor a Practice Access holder.',
    404: '`group-not-found`.',
    409: '`workflow-changed-meanwhile` (If-Match names another version, or a concurrent change won).',
    422: WORKFLOW_RULES,
  })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Body() dto: GroupWorkflowDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GroupWorkflowView> {
    const view = await this.commands.execute(
      new ReplaceGroupWorkflowCommand(
        caller,
        groupId,
        toWorkflowDraft(dto),
        parseIfMatch(ifMatch),
        correlationId,
      ),
    );
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }
}
