import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiIfMatch, ApiProblems, CorrelationId, parseIfMatch } from '@gm/service-kit';
import type { Response } from 'express';
import { GetOutOfOfficeQuery } from '../application/get-out-of-office/get-out-of-office.query.js';
import type { OutOfOfficeView } from '../application/out-of-office-view.js';
import { ReplaceOutOfOfficeCommand } from '../application/replace-out-of-office/replace-out-of-office.command.js';
import { DIRECTORY_ID } from './message-group.dto.js';
import { OutOfOfficeDto, OutOfOfficeViewDto, toOutOfOfficeDrafts } from './out-of-office.dto.js';

const ETAG = {
  ETag: {
    description: 'The stored version, quoted ("0": never set): send it back in If-Match.',
    schema: { type: 'string' },
  },
};
const MemberIdParam = () => ApiParam({ name: 'memberId', schema: DIRECTORY_ID });
const FORBIDDEN =
  '`out-of-office-access-required`: neither the member, an Admin of a group the member belongs to, nor a Practice Access holder (a deactivated caller is none of them).';
const NOT_FOUND = '`member-not-found`: no such member in the practice.';
const OUT_OF_OFFICE_RULES =
  'The body breaks a rule: `validation-failed` (with `errors`: a field missing, of the wrong type, or an unknown field), `invalid-text`, `too-many-periods`, `invalid-date-time`, `period-ends-before-start`, `period-already-ended`, `period-too-long`, `periods-overlap`, `cover-is-self`, `cover-inactive`, `cover-not-in-group`.';

/**
 * A member's out-of-office periods, each with an optional cover. Seen and set
 * by the member, an Admin of any group the member belongs to, and holders of
 * Settings > Messages > Practice Access. Members unknown to the practice are
 * 404 member-not-found.
 */
@ApiTags('out of office')
@ApiBearerAuth()
@Actors('member')
@Controller('members')
export class OutOfOfficeHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get(':memberId/out-of-office')
  @ApiOperation({
    summary:
      "A member's current and future out-of-office periods, ordered by start (none at version 0 if never set).",
  })
  @MemberIdParam()
  @ApiOkResponse({ type: OutOfOfficeViewDto, headers: ETAG })
  @ApiProblems({ 403: FORBIDDEN, 404: NOT_FOUND })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('memberId') memberId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OutOfOfficeView> {
    const view = await this.queries.execute(new GetOutOfOfficeQuery(caller, memberId));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Put(':memberId/out-of-office')
  @ApiOperation({
    summary:
      "Replace a member's out-of-office periods (every period sent; [] clears them). A period sent again with the same start, end and cover keeps its id; a replacement that changes nothing answers the stored version and publishes nothing.",
  })
  @ApiIfMatch(
    'The version read (its ETag, "0" if never set); 409 out-of-office-changed-meanwhile if it moved on, 400 invalid-if-match if it is not a version.',
  )
  @MemberIdParam()
  @ApiOkResponse({ type: OutOfOfficeViewDto, headers: ETAG })
  @ApiProblems({
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: '`out-of-office-changed-meanwhile` (If-Match names another version, or a concurrent change won).',
    422: OUT_OF_OFFICE_RULES,
  })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('memberId') memberId: string,
    @Body() dto: OutOfOfficeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OutOfOfficeView> {
    const view = await this.commands.execute(
      new ReplaceOutOfOfficeCommand(
        caller,
        memberId,
        toOutOfOfficeDrafts(dto),
        parseIfMatch(ifMatch),
        correlationId,
      ),
    );
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }
}
