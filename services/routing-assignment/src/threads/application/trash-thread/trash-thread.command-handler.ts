import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { trashThread } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import type { ThreadWritten } from '../assign-thread/assign-thread.command.js';
import { ThreadChanges } from '../thread-changes.js';
import { TrashThreadCommand } from './trash-thread.command.js';

@CommandHandler(TrashThreadCommand)
export class TrashThreadCommandHandler implements ICommandHandler<TrashThreadCommand> {
  constructor(
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  execute({ caller, threadId, correlationId, origin }: TrashThreadCommand): Promise<ThreadWritten> {
    return this.changes.apply(
      caller.practiceId,
      threadId,
      { correlationId, origin },
      async (thread) => {
        const facts = await this.facts.forThread(thread, [caller.id]);
        const transition = trashThread(thread, facts, caller.id, new Date().toISOString());
        return { result: { threadId, version: transition.state.version }, transition, facts };
      },
    );
  }
}
