import { Command } from '@nestjs/cqrs';
import type { ConversationVersion } from '@gm/contracts';
import { NO_ORIGIN, type RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';

export interface ReplyAccepted {
  threadId: string;
  replyId: string;
  version: number;
}

export class ReplyToThreadCommand extends Command<ReplyAccepted> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly body: string,
    readonly correlationId: string,
    /** Where the request came from, for the access audit. */
    readonly origin: RequestOrigin = NO_ORIGIN,
    /** What the writer had seen of the conversation (If-Match): a stale reply is refused. */
    readonly seen?: ConversationVersion,
  ) {
    super();
  }
}
