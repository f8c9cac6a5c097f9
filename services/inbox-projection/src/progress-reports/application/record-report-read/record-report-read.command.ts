import { Command } from '@nestjs/cqrs';
import type { ReadContext } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { ReportScope } from '../../domain/progress-report.js';

/**
 * Record, in the access audit, a progress report just read (who looked at
 * which group's or the practice's figures, when, from where), before it is
 * answered. The report query stays a read; the controller runs this after it.
 */
export class RecordReportReadCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly scope: ReportScope,
    readonly read: ReadContext,
  ) {
    super();
  }
}
