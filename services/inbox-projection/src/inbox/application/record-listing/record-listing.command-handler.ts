import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { recordReadOrRefuse, ThreadReadRecorder } from '@gm/access-recording';
import type { AccessListingAction } from '@gm/contracts';
import { accessAuditUnavailable } from '../../domain/inbox-errors.js';
import { RecordListingCommand } from './record-listing.command.js';

/** A patient lists their mailbox, a member their inbox; a search is told apart (never its text). */
function listingAction(actorKind: 'member' | 'patient', searched: boolean): AccessListingAction {
  if (actorKind === 'patient') return searched ? 'mailbox.searched' : 'mailbox.listed';
  return searched ? 'threads.searched' : 'threads.listed';
}

/** Fail closed like a thread read: a listing that cannot be recorded is not served (503). */
@CommandHandler(RecordListingCommand)
export class RecordListingCommandHandler implements ICommandHandler<RecordListingCommand> {
  constructor(private readonly reads: ThreadReadRecorder) {}

  async execute({ caller, listing, threadIds, read }: RecordListingCommand): Promise<void> {
    const actorKind = caller.actor === 'patient' ? 'patient' : 'member';
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId: caller.practiceId,
        actor: { kind: actorKind, id: caller.id },
        action: listingAction(actorKind, listing.searched),
        listing,
        threadIds,
        ...read,
      },
      accessAuditUnavailable,
    );
  }
}
