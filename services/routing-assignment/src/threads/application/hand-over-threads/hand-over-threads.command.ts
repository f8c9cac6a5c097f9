import { Command } from '@nestjs/cqrs';
import type { Cause } from '../thread-events.js';

/**
 * Decide a member's threads again for who is out of office now: their
 * assigned threads go to their cover or the queue while they are out,
 * their direct messages are seen by their cover for the period only. Run
 * when their periods change and at each period's start and end.
 */
export class HandOverThreadsCommand extends Command<number> {
  constructor(
    readonly practiceId: string,
    readonly memberId: string,
    readonly cause: Cause,
  ) {
    super();
  }
}
