import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { inParallel } from '@gm/messaging';
import { unassignIneligible } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { ReconsiderThreadsCommand, type ReconsiderScope } from './reconsider-threads.command.js';

const CONCURRENCY = 8;

/**
 * Re-decides the threads a directory or settings change concerns, against
 * the replicas as they are now (not the event's data, which may be older
 * than what the replica holds): idempotent, and safe to run again. The
 * audience follows from ThreadChanges, which decides it on every write.
 */
@CommandHandler(ReconsiderThreadsCommand)
export class ReconsiderThreadsCommandHandler implements ICommandHandler<ReconsiderThreadsCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  async execute({ practiceId, scope, cause }: ReconsiderThreadsCommand): Promise<number> {
    let unassigned = 0;
    // Threads are independent (each write is its own compare-and-set): a big group's overlap.
    await inParallel(await this.candidates(practiceId, scope), CONCURRENCY, async (threadId) => {
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
    });
    return unassigned;
  }

  /** Every thread whose audience the change can alter. */
  private async candidates(practiceId: string, scope: ReconsiderScope): Promise<string[]> {
    switch (scope.trigger) {
      case 'member-changed': {
        const { memberId } = scope;
        const [assigned, addressed, groups, patients] = await Promise.all([
          this.threads.assignedTo(practiceId, memberId),
          this.threads.addressedTo(practiceId, memberId),
          this.facts.groupsOfMember(practiceId, memberId),
          this.facts.patientsCaredForBy(practiceId, memberId),
        ]);
        const ofGroups = await Promise.all(groups.map((g) => this.threads.ofGroup(practiceId, g)));
        const ofPatients = await Promise.all(
          patients.map((p) => this.threads.ofPatient(practiceId, p)),
        );
        return [...new Set([...assigned, ...addressed, ...ofGroups.flat(), ...ofPatients.flat()])];
      }
      case 'group-changed':
        return this.threads.ofGroup(practiceId, scope.groupId);
      case 'care-team-changed':
        return this.threads.ofPatient(practiceId, scope.patientId);
    }
  }
}
