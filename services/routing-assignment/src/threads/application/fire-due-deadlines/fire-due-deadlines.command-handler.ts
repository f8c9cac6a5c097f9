import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { inParallel } from '@gm/messaging';
import type { Transition } from '../../domain/thread-state.js';
import { fireDeadline } from '../../domain/thread-workflow.js';
import { deadlineFailed, deadlineFired } from '../../infrastructure/deadline-metrics.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { FireDueDeadlinesCommand, type DeadlineRound } from './fire-due-deadlines.command.js';

/** Threads of one round changed at once: enough to catch up after downtime, few enough for the locks. */
const IN_PARALLEL = 8;

/**
 * Fires what is due, each thread through the same compare-and-set as any
 * other change: the thread as stored decides, so a deadline fires once
 * however many replicas or rounds see it (a second sight finds it fired,
 * or answered, and changes nothing). A thread with two deadlines due fires
 * one per round.
 */
@CommandHandler(FireDueDeadlinesCommand)
export class FireDueDeadlinesCommandHandler implements ICommandHandler<FireDueDeadlinesCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly changes: ThreadChanges,
  ) {}

  async execute({ now, limit }: FireDueDeadlinesCommand): Promise<DeadlineRound> {
    const due = await this.threads.due(now, limit);
    const failed: string[] = [];
    await inParallel(due, IN_PARALLEL, async ({ practiceId, threadId, dueAt }) => {
      try {
        const fired = await this.changes.apply<Transition | null>(
          practiceId,
          threadId,
          { correlationId: randomUUID() },
          (thread) => {
            const transition = fireDeadline(thread, now);
            return Promise.resolve({ result: transition, transition });
          },
        );
        if (fired) {
          const kind = fired.change.kind === 'overdue' ? 'overdue' : 'return-to-queue';
          deadlineFired(kind, dueAt, now);
        }
      } catch {
        // One thread that cannot fire (it stays due, and is tried again next
        // round) must not hold up the others behind it.
        deadlineFailed();
        failed.push(threadId);
      }
    });
    return { taken: due.length, failed };
  }
}
