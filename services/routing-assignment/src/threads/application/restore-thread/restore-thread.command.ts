import { Command } from '@nestjs/cqrs';
import { NO_ORIGIN, type RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { ThreadWritten } from '../assign-thread/assign-thread.command.js';

export class RestoreThreadCommand extends Command<ThreadWritten> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly correlationId: string,
    /** Where the request came from, for the access audit. */
    readonly origin: RequestOrigin = NO_ORIGIN,
  ) {
    super();
  }
}
