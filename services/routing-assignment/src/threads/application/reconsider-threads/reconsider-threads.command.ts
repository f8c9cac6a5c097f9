import { Command } from '@nestjs/cqrs';
import type { Cause } from '../thread-events.js';

/** A directory or settings change that may change who may hold or see existing threads. */
export type ReconsiderScope =
  | { trigger: 'member-changed'; memberId: string }
  | { trigger: 'group-changed'; groupId: string }
  | { trigger: 'care-team-changed'; patientId: string }
  /** A period of the member's began or ended, or their periods changed (timer, out-of-office.ts). */
  | { trigger: 'out-of-office-changed'; memberId: string };

/**
 * Decides every thread in scope again: unassigns an assignee who may no
 * longer hold it (MessageUnassigned), hands an away assignee's thread to
 * their cover or the queue, and publishes its audience if it changed
 * (ThreadAudienceChanged). Returns how many changed hands.
 */
export class ReconsiderThreadsCommand extends Command<number> {
  constructor(
    readonly practiceId: string,
    readonly scope: ReconsiderScope,
    readonly cause: Cause,
  ) {
    super();
  }
}
