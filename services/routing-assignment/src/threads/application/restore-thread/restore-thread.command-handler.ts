import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { restoreThread } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import type { ThreadWritten } from '../assign-thread/assign-thread.command.js';
import { ThreadChanges } from '../thread-changes.js';
import { RestoreThreadCommand } from './restore-thread.command.js';

@CommandHandler(RestoreThreadCommand)
export class RestoreThreadCommandHandler implements ICommandHandler<RestoreThreadCommand> {
  constructor(
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  execute({
    caller,
    threadId,
    correlationId,
    origin,
  }: RestoreThreadCommand): Promise<ThreadWritten> {
    return this.changes.apply(
      caller.practiceId,
      threadId,
      { correlationId, origin },
      async (thread) => {
        const facts = await this.facts.forThread(thread, [caller.id]);
        const transition = restoreThread(thread, facts, caller.id, new Date().toISOString());
        return { result: { threadId, version: transition.state.version }, transition, facts };
      },
    );
  }
}
