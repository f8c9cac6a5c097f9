import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Origin, type RequestOrigin } from '@gm/access-recording';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ApiProblems, CorrelationId } from '@gm/service-kit';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { PATH_ID } from '../../inbox/interface/inbox.dto.js';
import { GetProgressReportQuery } from '../application/get-progress-report/get-progress-report.query.js';
import { RecordReportReadCommand } from '../application/record-report-read/record-report-read.command.js';
import type { ProgressReport, ReportScope } from '../domain/progress-report.js';
import { progressReportCsv } from './progress-report.csv.js';
import { ProgressReportQueryDto } from './progress-report.dto.js';
import { PROGRESS_REPORT } from './progress-report.responses.js';

const UNAVAILABLE =
  '`access-audit-unavailable` (the read could not be recorded, so nothing was served), or a store this service needs is unavailable.';
const INVALID = '`validation-failed` (with `errors`), `invalid-period`.';

/**
 * Progress reports (ADR 0024): what came in, what was answered and how fast,
 * the backlog and each assignee's load, from the analytics stream. No PHI:
 * ids and figures only.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Actors('member')
@Controller('reports')
export class ProgressReportsHttpController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get('groups/:groupId/progress')
  @ApiOperation({
    summary:
      "A group's progress over a period, for its Admins and the Practice Access holders: messages received, replies, first-response time (p50, p90), the share within the group's target, reassignments, the backlog by status and age, and each assignee's load. JSON or CSV.",
  })
  @ApiParam({ name: 'groupId', schema: PATH_ID })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ schema: PROGRESS_REPORT })
  @ApiProblems({
    403: '`group-report-not-allowed`: not an active Admin of the group, nor a Practice Access holder.',
    404: '`group-not-found` (to Practice Access holders): no such group in the practice.',
    422: INVALID,
    503: UNAVAILABLE,
  })
  group(
    @CurrentCaller() caller: Caller,
    @Param('groupId') groupId: string,
    @Query() query: ProgressReportQueryDto,
    @Headers('accept') accept: string | undefined,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) response: Response,
  ) {
    const scope: ReportScope = { kind: 'group', groupId };
    return this.answer(caller, scope, query, accept, { correlationId, origin }, response);
  }

  @Get('practice/progress')
  @ApiOperation({
    summary:
      "The whole practice's progress over a period (every group and the direct messages, and the figures per group), for the Practice Access holders. JSON or CSV.",
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ schema: PROGRESS_REPORT })
  @ApiProblems({
    403: '`practice-report-not-allowed`: not an active Practice Access holder.',
    422: INVALID,
    503: UNAVAILABLE,
  })
  practice(
    @CurrentCaller() caller: Caller,
    @Query() query: ProgressReportQueryDto,
    @Headers('accept') accept: string | undefined,
    @CorrelationId() correlationId: string,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.answer(
      caller,
      { kind: 'practice' },
      query,
      accept,
      { correlationId, origin },
      response,
    );
  }

  private async answer(
    caller: Caller,
    scope: ReportScope,
    query: ProgressReportQueryDto,
    accept: string | undefined,
    read: { correlationId: string; origin: RequestOrigin },
    response: Response,
  ): Promise<ProgressReport | string> {
    const report = await this.queries.execute(
      new GetProgressReportQuery(caller, scope, { from: query.from, to: query.to }),
    );
    await this.commands.execute(new RecordReportReadCommand(caller, scope, read));
    const csv = query.format === 'csv' || (!query.format && /\btext\/csv\b/i.test(accept ?? ''));
    if (!csv) return report;
    response.type('text/csv; charset=utf-8');
    return progressReportCsv(report);
  }
}
