import { Command } from '@nestjs/cqrs';
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
  ) {
    super();
  }
}
