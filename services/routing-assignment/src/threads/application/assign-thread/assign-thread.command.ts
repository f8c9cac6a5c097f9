import { Command } from '@nestjs/cqrs';
import { NO_ORIGIN, type RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';

/** The thread's version after a command (unchanged when nothing had to change). */
export interface ThreadWritten {
  threadId: string;
  version: number;
}

export class AssignThreadCommand extends Command<ThreadWritten> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly assigneeMemberId: string,
    readonly correlationId: string,
    /** Where the request came from, for the access audit. */
    readonly origin: RequestOrigin = NO_ORIGIN,
  ) {
    super();
  }
}
