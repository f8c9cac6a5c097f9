import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';

/** A member's client closed the thread. */
export class LeaveThreadCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
  ) {
    super();
  }
}
