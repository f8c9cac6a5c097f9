import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recordReadOrRefuse, ThreadReadRecorder } from '@gm/access-recording';
import { accessAuditUnavailable } from '../../../inbox/domain/inbox-errors.js';
import { RecordReportReadCommand } from './record-report-read.command.js';

/** Fail closed like every recorded read: a report that cannot be recorded is not served (503). */
@CommandHandler(RecordReportReadCommand)
export class RecordReportReadCommandHandler implements ICommandHandler<RecordReportReadCommand> {
  constructor(private readonly reads: ThreadReadRecorder) {}

  async execute({ caller, scope, read }: RecordReportReadCommand): Promise<void> {
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId: caller.practiceId,
        actor: { kind: 'member', id: caller.id },
        action: 'progress.read',
        listing: {
          view: scope.kind === 'group' ? 'group-progress' : 'practice-progress',
          groupId: scope.kind === 'group' ? scope.groupId : null,
          filter: null,
          searched: false,
        },
        // A report shows figures, never a thread.
        threadIds: [],
        ...read,
      },
      accessAuditUnavailable,
    );
  }
}
