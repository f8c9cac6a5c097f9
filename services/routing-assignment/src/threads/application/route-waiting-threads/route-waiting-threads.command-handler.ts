import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { routeWaitingThread } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadsRepository } from '../../infrastructure/threads.repository.js';
import { ThreadChanges } from '../thread-changes.js';
import { RouteWaitingThreadsCommand } from './route-waiting-threads.command.js';

@CommandHandler(RouteWaitingThreadsCommand)
export class RouteWaitingThreadsCommandHandler implements ICommandHandler<RouteWaitingThreadsCommand> {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  async execute({ practiceId, groupId, cause }: RouteWaitingThreadsCommand): Promise<number> {
    const group = await this.facts.routingGroup(practiceId, groupId);
    if (!group) return 0;
    let routed = 0;
    for (const threadId of await this.threads.waitingForGroup(practiceId, groupId)) {
      routed += await this.changes.apply(practiceId, threadId, cause, async (thread) => {
        const transition = routeWaitingThread(thread, group, new Date().toISOString());
        return { result: transition ? 1 : 0, transition };
      });
    }
    return routed;
  }
}
