import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiIfMatch, ApiProblems, CorrelationId, parseIfMatch } from '@gm/service-kit';
import type { Response } from 'express';
import { CreateMessageGroupCommand } from '../application/create-message-group/create-message-group.command.js';
import { DeleteMessageGroupCommand } from '../application/delete-message-group/delete-message-group.command.js';
import { GetMessageGroupQuery } from '../application/get-message-group/get-message-group.query.js';
import { ListMessageGroupsQuery } from '../application/list-message-groups/list-message-groups.query.js';
import { UpdateMessageGroupCommand } from '../application/update-message-group/update-message-group.command.js';
import {
  GROUP_ID_PATTERN,
  GroupWrittenDto,
  MESSAGE_GROUP_SCHEMA,
  MessageGroupDto,
  MessageGroupViewDto,
  toDraft,
} from './message-group.dto.js';

const ETAG = {
  ETag: {
    description: 'The stored version, quoted: send it back in If-Match.',
    schema: { type: 'string' },
  },
};
/** A group id of another form is never found: 404 like a missing one. */
const GroupIdParam = () =>
  ApiParam({ name: 'groupId', schema: { type: 'string', pattern: GROUP_ID_PATTERN } });
/** The domain's refusals of a body (422), besides `validation-failed`. */
const GROUP_RULES =
  'A parameter or the body breaks a rule: `validation-failed` (with `errors`), `invalid-text`, `group-name-required`, `group-name-too-long`, `group-name-invalid-characters`, `group-description-too-long`, `unknown-facility`, `unknown-patient-category`, `too-many-members`, `duplicate-member`, `care-team-group-admins-only`, `group-needs-admin`, `unknown-member`, `member-inactive`.';

/**
 * Settings > Messages > Message Groups. Every route needs a member with the
 * Settings > Messages > Practice Access privilege (403 privilege-required);
 * groups of other practices are never found (404 group-not-found).
 */
@ApiTags('message groups')
@ApiBearerAuth()
@Actors('member')
@Controller('message-groups')
export class MessageGroupsHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a message group (paid plan only: 402 paid-plan-required).' })
  @ApiBody({ schema: MESSAGE_GROUP_SCHEMA })
  @ApiCreatedResponse({
    type: GroupWrittenDto,
    headers: {
      Location: { description: "The new group's URL.", schema: { type: 'string' } },
      ...ETAG,
    },
  })
  @ApiProblems({
    402: '`paid-plan-required`: group messaging is a paid-plan feature.',
    409: '`group-name-taken`: another group of the practice has this name.',
    422: GROUP_RULES,
  })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() dto: MessageGroupDto,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GroupWrittenDto> {
    const written = await this.commands.execute(
      new CreateMessageGroupCommand(caller, toDraft(dto), correlationId),
    );
    response
      .location(`/message-groups/${written.groupId}`)
      .setHeader('ETag', `"${written.version}"`);
    return written;
  }

  @Get()
  @ApiOperation({ summary: "The practice's message groups, by name." })
  @ApiOkResponse({ type: [MessageGroupViewDto] })
  list(@CurrentCaller() caller: Caller) {
    return this.queries.execute(new ListMessageGroupsQuery(caller));
  }

  @Get(':groupId')
  @GroupIdParam()
  @ApiOkResponse({ type: MessageGroupViewDto, headers: ETAG })
  @ApiProblems({ 404: '`group-not-found`.' })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const view = await this.queries.execute(new GetMessageGroupQuery(caller, groupId));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put(':groupId')
  @ApiOperation({ summary: "Replace a group's configuration under the same rules as creation." })
  @ApiIfMatch(
    'The version read (its ETag); 409 group-changed-meanwhile if it moved on, 400 invalid-if-match if it is not a version.',
  )
  @GroupIdParam()
  @ApiBody({ schema: MESSAGE_GROUP_SCHEMA })
  @ApiOkResponse({ type: GroupWrittenDto, headers: ETAG })
  @ApiProblems({
    402: '`paid-plan-required`.',
    404: '`group-not-found`.',
    409: '`group-name-taken`, or `group-changed-meanwhile` (If-Match names an older version).',
    422: GROUP_RULES,
  })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Body() dto: MessageGroupDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GroupWrittenDto> {
    const command = new UpdateMessageGroupCommand(
      caller,
      groupId,
      toDraft(dto),
      parseIfMatch(ifMatch),
      correlationId,
    );
    const written = await this.commands.execute(command);
    response.setHeader('ETag', `"${written.version}"`);
    return written;
  }

  @Delete(':groupId')
  @HttpCode(204)
  @GroupIdParam()
  @ApiNoContentResponse()
  @ApiProblems({
    404: '`group-not-found`.',
    409: '`group-changed-meanwhile`: changed while being deleted; try again.',
  })
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    await this.commands.execute(new DeleteMessageGroupCommand(caller, groupId, correlationId));
  }
}
