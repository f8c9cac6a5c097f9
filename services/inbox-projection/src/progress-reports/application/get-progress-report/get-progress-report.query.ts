import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { ProgressReport, ReportScope } from '../../domain/progress-report.js';

/** A group's progress (its Admins, Practice Access holders) or the practice's (Practice Access), over a period. */
export class GetProgressReportQuery extends Query<ProgressReport> {
  constructor(
    readonly caller: Caller,
    readonly scope: ReportScope,
    /** Either end may be left out (report-period.ts). */
    readonly asked: { from?: string; to?: string },
  ) {
    super();
  }
}
