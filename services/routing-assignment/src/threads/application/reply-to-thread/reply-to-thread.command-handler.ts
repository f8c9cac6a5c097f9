import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { replyToThread } from '../../domain/thread.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ThreadChanges } from '../thread-changes.js';
import { ReplyToThreadCommand, type ReplyAccepted } from './reply-to-thread.command.js';

/**
 * A member answers the patient (ReplySent under the group's current name,
 * or the practice's for a direct message; the member only for the internal
 * trail). The reply's text travels in the event only: this service keeps no
 * copy of it once published.
 */
@CommandHandler(ReplyToThreadCommand)
export class ReplyToThreadCommandHandler implements ICommandHandler<ReplyToThreadCommand> {
  constructor(
    private readonly facts: ThreadFactsAdapter,
    private readonly changes: ThreadChanges,
  ) {}

  execute({
    caller,
    threadId,
    body,
    correlationId,
    origin,
    seen,
  }: ReplyToThreadCommand): Promise<ReplyAccepted> {
    const replyId = `rpl_${randomUUID()}`;
    return this.changes.apply(
      caller.practiceId,
      threadId,
      { correlationId, origin },
      async (thread) => {
        const facts = await this.facts.forThread(thread, [caller.id]);
        const practiceName =
          thread.routing === 'direct' ? await this.facts.practiceName(caller.practiceId) : null;
        const now = new Date().toISOString();
        const transition = replyToThread(
          thread,
          facts,
          caller.id,
          { replyId, body, practiceName, seen },
          now,
        );
        return {
          result: { threadId, replyId, version: transition.state.version },
          transition,
          facts,
        };
      },
    );
  }
}
