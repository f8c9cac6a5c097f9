import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { WorkflowReplica } from '@gm/settings-replica';
import {
  assignAutomatically,
  automaticCandidates,
  chooseAssignee,
  isQueued,
  type AutomaticAssignment,
} from '../../domain/automatic-assignment.js';
import { GroupQueues, type GroupRef } from '../../infrastructure/group-queues.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { AssignQueuedThreadsCommand } from './assign-queued-threads.command.js';

/** Marked groups looked at in a round, and queued threads of each. */
const GROUPS_PER_ROUND = 50;
const THREADS_PER_GROUP = 20;

type Outcome = 'assigned' | 'nobody-available' | 'not-queued';

/**
 * Each queued thread, oldest first, through the same compare-and-set as
 * any other change: the thread as stored, its facts and its group's loads
 * now decide, so a thread is assigned once however many rounds see it.
 * When nobody is available for a Specific Members thread, nobody is for
 * the younger ones either: they wait for the next change of the group. A
 * care-team thread's candidates are its patient's care team, so each is
 * tried.
 */
@CommandHandler(AssignQueuedThreadsCommand)
export class AssignQueuedThreadsCommandHandler implements ICommandHandler<AssignQueuedThreadsCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly workflows: WorkflowReplica,
    private readonly queues: GroupQueues,
    private readonly changes: ThreadChanges,
  ) {}

  async execute({ now, everyGroup }: AssignQueuedThreadsCommand): Promise<number> {
    const groups = everyGroup
      ? await this.workflows.automaticGroups()
      : await this.queues.take(GROUPS_PER_ROUND);
    let assigned = 0;
    for (const group of groups) assigned += await this.assignQueue(group, now);
    return assigned;
  }

  private async assignQueue({ practiceId, groupId }: GroupRef, now: string): Promise<number> {
    const { assignment } = await this.workflows.workflow(practiceId, groupId);
    if (assignment.mode === 'off') return 0;
    let assigned = 0;
    for (const threadId of await this.threads.queue(practiceId, groupId, THREADS_PER_GROUP)) {
      const { outcome, routing } = await this.assignOne(practiceId, threadId, assignment, now);
      if (outcome === 'assigned') assigned++;
      if (outcome === 'nobody-available' && routing === 'specific-members') break;
    }
    return assigned;
  }

  private assignOne(
    practiceId: string,
    threadId: string,
    assignment: AutomaticAssignment,
    now: string,
  ): Promise<{ outcome: Outcome; routing: string | null }> {
    return this.changes.apply(
      practiceId,
      threadId,
      { correlationId: randomUUID() },
      async (thread) => {
        const routing = thread.routing;
        if (!isQueued(thread)) return { result: { outcome: 'not-queued' as Outcome, routing } };
        const facts = await this.facts.forThread(thread, []);
        const candidates = automaticCandidates(thread, facts);
        const [loads, turn] = await Promise.all([
          this.threads.openAssignedCounts(practiceId, thread.groupId!),
          this.queues.nextTurn(practiceId, thread.groupId!),
        ]);
        const assignee = chooseAssignee(candidates, loads, assignment, turn);
        if (!assignee)
          return { result: { outcome: 'nobody-available' as Outcome, routing }, facts };
        return {
          result: { outcome: 'assigned' as Outcome, routing },
          transition: assignAutomatically(thread, assignee, now),
          facts,
        };
      },
    );
  }
}
