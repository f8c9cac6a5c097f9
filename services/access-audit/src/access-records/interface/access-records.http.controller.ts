import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ListAccessRecordsQuery } from '../application/list-access-records/list-access-records.query.js';
import { AccessRecordsPageDto, ListAccessRecordsQueryDto } from './access-records.dto.js';

const DEFAULT_LIMIT = 50;

/**
 * The access audit trail of the caller's practice (the token's; never
 * another's), for members with the audit privilege (403 privilege-required);
 * patients 403 actor-not-allowed. Read-only: the trail has no route that
 * changes or removes a record.
 */
@ApiTags('access records')
@ApiBearerAuth()
@Actors('member')
@Controller('access-records')
export class AccessRecordsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary:
      'Who read, was refused, listed or changed which thread, when and from where; newest first, filtered by thread, actor, action, outcome and time.',
  })
  @ApiOkResponse({ type: AccessRecordsPageDto })
  list(
    @CurrentCaller() caller: Caller,
    @Query() query: ListAccessRecordsQueryDto,
  ): Promise<AccessRecordsPageDto> {
    return this.queries.execute(
      new ListAccessRecordsQuery(caller, {
        threadId: query.threadId,
        actorId: query.actorId,
        action: query.action,
        outcome: query.outcome,
        from: query.from,
        to: query.to,
        cursor: query.cursor,
        limit: query.limit ?? DEFAULT_LIMIT,
      }),
    );
  }
}
