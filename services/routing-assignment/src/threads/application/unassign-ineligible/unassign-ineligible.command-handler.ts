import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { unassignIneligible } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { UnassignIneligibleCommand, type UnassignScope } from './unassign-ineligible.command.js';

/**
 * Re-checks the assignments a directory or settings change may have broken,
 * against the replicas as they are now (not the event's data, which may be
 * older than what the replica holds): idempotent, and safe to run again.
 */
@CommandHandler(UnassignIneligibleCommand)
export class UnassignIneligibleCommandHandler implements ICommandHandler<UnassignIneligibleCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  async execute({ practiceId, scope, cause }: UnassignIneligibleCommand): Promise<number> {
    let unassigned = 0;
    for (const threadId of await this.candidates(practiceId, scope)) {
      unassigned += await this.changes.apply(practiceId, threadId, cause, async (thread) => {
        const facts = await this.facts.forThread(thread, []);
        const transition = unassignIneligible(
          thread,
          facts,
          scope.trigger,
          new Date().toISOString(),
        );
        return { result: transition ? 1 : 0, transition };
      });
    }
    return unassigned;
  }

  private candidates(practiceId: string, scope: UnassignScope): Promise<string[]> {
    switch (scope.trigger) {
      case 'member-changed':
        return this.threads.assignedTo(practiceId, scope.memberId);
      case 'group-changed':
        return this.threads.assignedInGroup(practiceId, scope.groupId);
      case 'care-team-changed':
        return this.threads.assignedOfPatient(practiceId, scope.patientId);
    }
  }
}
