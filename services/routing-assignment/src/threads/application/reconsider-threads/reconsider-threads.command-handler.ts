import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { inParallel } from '@gm/messaging';
import { handOverFromAwayAssignee } from '../../domain/out-of-office.js';
import { needsReconsidering, unassignIneligible } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import {
  ThreadsRepository,
  type ThreadAccessRecord,
} from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { ReconsiderThreadsCommand, type ReconsiderScope } from './reconsider-threads.command.js';

const CONCURRENCY = 8;

/**
 * Re-decides the threads a directory or settings change concerns, against
 * the replicas as they are now (not the event's data, which may be older
 * than what the replica holds): idempotent, and safe to run again.
 *
 * One read of the threads in scope (their access fields) and of the facts
 * they name sorts out those the change alters; only those go through
 * ThreadChanges, which decides each again on the thread as stored and
 * writes it with its new audience. A group of thousands of threads that
 * loses a User costs one read, and a write for the User's threads only.
 */
@CommandHandler(ReconsiderThreadsCommand)
export class ReconsiderThreadsCommandHandler implements ICommandHandler<ReconsiderThreadsCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  async execute({ practiceId, scope, cause }: ReconsiderThreadsCommand): Promise<number> {
    const candidates = await this.candidates(practiceId, scope);
    const facts = await this.facts.forThreads(practiceId, candidates, []);
    const outdated = candidates.filter((thread, i) =>
      needsReconsidering(thread, facts[i]!, thread.audience, scope.trigger),
    );
    let moved = 0;
    // Threads are independent (each write is its own compare-and-set).
    await inParallel(outdated, CONCURRENCY, async ({ threadId }) => {
      moved += await this.changes.apply(practiceId, threadId, cause, async (thread) => {
        const current = await this.facts.forThread(thread, []);
        const now = new Date().toISOString();
        const transition =
          unassignIneligible(thread, current, scope.trigger, now) ??
          handOverFromAwayAssignee(thread, current, now);
        return { result: transition ? 1 : 0, transition, facts: current };
      });
    });
    return moved;
  }

  /** Every thread whose assignment or audience the change can alter, once each. */
  private async candidates(
    practiceId: string,
    scope: ReconsiderScope,
  ): Promise<ThreadAccessRecord[]> {
    switch (scope.trigger) {
      case 'member-changed': {
        const { memberId } = scope;
        const [assigned, addressed, groups, patients] = await Promise.all([
          this.threads.assignedTo(practiceId, memberId),
          this.threads.addressedTo(practiceId, memberId),
          this.facts.groupsOfMember(practiceId, memberId),
          this.facts.patientsCaredForBy(practiceId, memberId),
        ]);
        const [ofGroups, ofPatients] = await Promise.all([
          Promise.all(groups.map((g) => this.threads.ofGroup(practiceId, g))),
          Promise.all(patients.map((p) => this.threads.ofPatient(practiceId, p))),
        ]);
        const all = [...assigned, ...addressed, ...ofGroups.flat(), ...ofPatients.flat()];
        return [...new Map(all.map((thread) => [thread.threadId, thread])).values()];
      }
      case 'group-changed':
        return this.threads.ofGroup(practiceId, scope.groupId);
      case 'care-team-changed':
        return this.threads.ofPatient(practiceId, scope.patientId);
      case 'out-of-office-changed': {
        // Their assigned threads (to a cover or the queue) and direct messages (seen by the cover).
        const [assigned, addressed] = await Promise.all([
          this.threads.assignedTo(practiceId, scope.memberId),
          this.threads.addressedTo(practiceId, scope.memberId),
        ]);
        return [...assigned, ...addressed];
      }
    }
  }
}
