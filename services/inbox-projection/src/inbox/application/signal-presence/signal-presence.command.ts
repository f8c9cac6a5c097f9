import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { PresenceActivity } from '../../domain/presence.js';

/** A member's client says they are viewing the thread or writing a reply (a heartbeat). */
export class SignalPresenceCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly activity: PresenceActivity,
  ) {
    super();
  }
}
