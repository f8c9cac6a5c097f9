import { Command } from '@nestjs/cqrs';
import type { Cause } from '../thread-events.js';

/** The change that may have cost assignees their right to hold threads. */
export type UnassignScope =
  | { trigger: 'member-changed'; memberId: string }
  | { trigger: 'group-changed'; groupId: string }
  | { trigger: 'care-team-changed'; patientId: string };

/** Unassigns every thread in scope whose assignee may no longer hold it (MessageUnassigned each). */
export class UnassignIneligibleCommand extends Command<number> {
  constructor(
    readonly practiceId: string,
    readonly scope: UnassignScope,
    readonly cause: Cause,
  ) {
    super();
  }
}
