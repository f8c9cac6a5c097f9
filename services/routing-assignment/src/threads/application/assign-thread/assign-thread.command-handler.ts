import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assignThread } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadChanges } from '../thread-changes.js';
import { AssignThreadCommand, type ThreadWritten } from './assign-thread.command.js';

/** An Admin of the group assigns or reassigns the thread (MessageAssigned, with the previous assignee). */
@CommandHandler(AssignThreadCommand)
export class AssignThreadCommandHandler implements ICommandHandler<AssignThreadCommand> {
  constructor(
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  execute(command: AssignThreadCommand): Promise<ThreadWritten> {
    const { caller, threadId, assigneeMemberId, correlationId, origin } = command;
    return this.changes.apply(
      caller.practiceId,
      threadId,
      { correlationId, origin },
      async (thread) => {
        const facts = await this.facts.forThread(thread, [caller.id, assigneeMemberId]);
        const now = new Date().toISOString();
        const transition = assignThread(thread, facts, caller.id, assigneeMemberId, now);
        return {
          result: { threadId, version: transition?.state.version ?? thread.version },
          transition,
          facts,
        };
      },
    );
  }
}
