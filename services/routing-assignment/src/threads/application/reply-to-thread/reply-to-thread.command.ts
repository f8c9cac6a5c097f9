import { Command } from '@nestjs/cqrs';
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
  ) {
    super();
  }
}
