import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiIfMatch, ApiProblems, parseIfMatch } from '@gm/service-kit';
import type { Response } from 'express';
import { GetQuickRepliesQuery } from '../application/get-quick-replies/get-quick-replies.query.js';
import type { QuickRepliesView } from '../application/quick-replies-view.js';
import { ReplaceQuickRepliesCommand } from '../application/replace-quick-replies/replace-quick-replies.command.js';
import { GROUP_ID_PATTERN } from './message-group.dto.js';
import { QuickRepliesDto, QuickRepliesViewDto, toQuickReplyDrafts } from './quick-replies.dto.js';

const ETAG = {
  ETag: {
    description: 'The stored version, quoted ("0": never set): send it back in If-Match.',
    schema: { type: 'string' },
  },
};
const GroupIdParam = () =>
  ApiParam({ name: 'groupId', schema: { type: 'string', pattern: GROUP_ID_PATTERN } });
const QUICK_REPLY_RULES =
  'The body breaks a rule: `validation-failed` (with `errors`: a field missing, of the wrong type, an id not of the form this service gives, or an unknown field), `invalid-text`, `too-many-quick-replies`, `invalid-quick-reply-title`, `invalid-quick-reply-text`, `quick-reply-too-long`, `duplicate-quick-reply-id`, `unknown-quick-reply`, `duplicate-quick-reply-title`.';

/**
 * A group's quick replies: reply templates (title, text) its members insert
 * into a reply. Seen by the group's members, managed by its Admins; holders
 * of Settings > Messages > Practice Access do both (the workflow's rule and
 * codes). Unknown, deleted and other practices' groups are 404
 * group-not-found. Nothing is published: no other service reads templates.
 */
@ApiTags('message groups')
@ApiBearerAuth()
@Actors('member')
@Controller('message-groups')
export class QuickRepliesHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get(':groupId/quick-replies')
  @ApiOperation({
    summary: "A group's quick replies, in the Admins' order (none at version 0 if never set).",
  })
  @GroupIdParam()
  @ApiOkResponse({ type: QuickRepliesViewDto, headers: ETAG })
  @ApiProblems({
    403: '`group-member-required`: neither a member of the group nor a Practice Access holder (a deactivated caller is neither).',
    404: '`group-not-found`.',
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QuickRepliesView> {
    const view = await this.queries.execute(new GetQuickRepliesQuery(caller, groupId));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put(':groupId/quick-replies')
  @ApiOperation({
    summary:
      "Replace a group's quick replies (every template, in order; [] removes them all). A template sent with its quickReplyId keeps it, a new one gets a new id; a replacement that changes nothing answers the stored version.",
  })
  @ApiIfMatch(
    'The version read (its ETag, "0" if never set); 409 quick-replies-changed-meanwhile if it moved on, 400 invalid-if-match if it is not a version.',
  )
  @GroupIdParam()
  @ApiOkResponse({ type: QuickRepliesViewDto, headers: ETAG })
  @ApiProblems({
    403: '`group-admin-required`: neither an Admin of the group nor a Practice Access holder (a deactivated caller is neither).',
    404: '`group-not-found`.',
    409: '`quick-replies-changed-meanwhile` (If-Match names another version, or a concurrent change won).',
    422: QUICK_REPLY_RULES,
  })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Body() dto: QuickRepliesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QuickRepliesView> {
    const view = await this.commands.execute(
      new ReplaceQuickRepliesCommand(
        caller,
        groupId,
        toQuickReplyDrafts(dto),
        parseIfMatch(ifMatch),
      ),
    );
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }
}
