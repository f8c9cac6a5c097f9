import {
  coverOf,
  isAway,
  validAssignee,
  type AccessFacts,
  type ThreadAccess,
} from './thread-access.js';
import { changed, entry } from './thread-change.js';
import type { ThreadState, Transition } from './thread-state.js';

/** A group thread whose assignee is out of office now: it must not wait for them. */
export const assigneeIsAway = (thread: ThreadAccess, facts: AccessFacts): boolean =>
  thread.routing !== null &&
  thread.routing !== 'direct' &&
  thread.assigneeMemberId !== null &&
  isAway(facts, thread.assigneeMemberId);

/** The away assignee's cover, if the cover is in and may hold the thread; else null. */
function coverWhoMayHold(thread: ThreadAccess, facts: AccessFacts, away: string): string | null {
  const cover = coverOf(facts, away);
  return cover && !isAway(facts, cover) && validAssignee(thread, facts, cover) ? cover : null;
}

/**
 * While a member is out of office their assigned threads do not wait for
 * them: each goes to the cover they named, when the cover is in and may
 * hold it (MessageAssigned, how `cover`), or else back to its group's
 * queue (MessageUnassigned, reason `assignee-out-of-office`), where
 * automatic assignment, if the group runs it, finds someone who is in.
 * Null when the assignee is in.
 */
export function handOverFromAwayAssignee(
  thread: ThreadState,
  facts: AccessFacts,
  now: string,
): Transition | null {
  if (!assigneeIsAway(thread, facts)) return null;
  const previousAssigneeMemberId = thread.assigneeMemberId!;
  const cover = coverWhoMayHold(thread, facts, previousAssigneeMemberId);
  if (cover) {
    return changed(
      thread,
      { assigneeMemberId: cover },
      {
        kind: 'assigned',
        assigneeMemberId: cover,
        previousAssigneeMemberId,
        byMemberId: null,
        how: 'cover',
      },
      entry('assigned', 'system', null, now, {
        assigneeMemberId: cover,
        previousAssigneeMemberId,
        how: 'cover',
      }),
    );
  }
  const reason = 'assignee-out-of-office';
  return changed(
    thread,
    { assigneeMemberId: null },
    { kind: 'unassigned', previousAssigneeMemberId, reason },
    entry('unassigned', 'system', null, now, { previousAssigneeMemberId, reason }),
  );
}
