import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Generations } from '../../../inbox/infrastructure/projection-store.js';
import { progressReport, type ProgressReport } from '../../domain/progress-report.js';
import { reportPeriod } from '../../domain/report-period.js';
import type { StoreScope } from '../../infrastructure/progress-store.js';
import { ReportReaders } from '../report-readers.js';
import { GetProgressReportQuery } from './get-progress-report.query.js';

@QueryHandler(GetProgressReportQuery)
export class GetProgressReportQueryHandler implements IQueryHandler<GetProgressReportQuery> {
  constructor(
    private readonly readers: ReportReaders,
    @Inject(Generations) private readonly generations: Generations,
  ) {}

  async execute({ caller, scope, asked }: GetProgressReportQuery): Promise<ProgressReport> {
    await this.readers.assertMayRead(caller, scope);
    const now = new Date().toISOString();
    const period = reportPeriod(asked, now);
    const { practiceId } = caller;
    const of: StoreScope =
      scope.kind === 'group' ? { practiceId, groupId: scope.groupId } : { practiceId };
    const { progress } = await this.generations.active();
    const [facts, waiting, counts] = await Promise.all([
      progress.factsIn(of, period),
      progress.waiting(of),
      progress.counts(of),
    ]);
    return progressReport({ practiceId, scope, period, facts, waiting, counts, now });
  }
}
