import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { ThreadWritten } from '../assign-thread/assign-thread.command.js';

export class RestoreThreadCommand extends Command<ThreadWritten> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
