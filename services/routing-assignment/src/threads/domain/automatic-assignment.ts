import { isAway, isCareTeamMember, validAssignee, type AccessFacts } from './thread-access.js';
import { changed, entry } from './thread-change.js';
import type { ThreadState, Transition } from './thread-state.js';
import { isWaiting } from './thread-workflow.js';

export type AssignmentMode = 'off' | 'round-robin' | 'least-loaded';

/** A group's automatic assignment: how it chooses, and the most open assigned threads a member takes. */
export interface AutomaticAssignment {
  mode: AssignmentMode;
  /** null: no limit. */
  capacity: number | null;
}

export const NO_AUTOMATIC_ASSIGNMENT: AutomaticAssignment = { mode: 'off', capacity: null };

/** Waiting in its group's queue: routed to a group, unassigned, Not Replied and out of Trash. */
export const isQueued = (thread: ThreadState): boolean =>
  isWaiting(thread) && thread.routing !== 'direct' && thread.assigneeMemberId === null;

/**
 * Whom automatic assignment may choose, in a stable order: the group's
 * Users (its Admins assign, and may still take a thread by hand), or on a
 * care-team thread the patient's in-house care team; each one active, a
 * valid assignee and in (not out of office) now.
 */
export function automaticCandidates(thread: ThreadState, facts: AccessFacts): string[] {
  const pool =
    thread.routing === 'care-team'
      ? facts.careTeamMemberIds.filter((id) => isCareTeamMember(thread, facts, id))
      : (facts.group?.members ?? []).filter((m) => m.privilege === 'user').map((m) => m.memberId);
  const candidates = [...new Set(pool)]
    .filter((id) => validAssignee(thread, facts, id) && !isAway(facts, id))
    .sort();
  // A thread taken back from a silent assignee goes to someone else if anyone else can take it.
  const silent = wentSilent(thread);
  const others = candidates.filter((id) => !silent.has(id));
  return others.length ? others : candidates;
}

/** Members who lost the thread for silence in its current wait. */
function wentSilent(thread: ThreadState): Set<string> {
  const since = thread.awaitingSince ?? '';
  return new Set(
    thread.timeline
      .filter((e) => e.kind === 'unassigned' && e.details.reason === 'assignee-silent')
      .filter((e) => e.at >= since)
      .map((e) => String(e.details.previousAssigneeMemberId)),
  );
}

/**
 * The member the thread goes to, or null when nobody is available (every
 * candidate at capacity, or none at all): the thread then waits in the
 * queue. `openAssigned` counts each candidate's open assigned threads of
 * the group; `turn` grows by one with each automatic assignment of the
 * group, so round robin starts one further each time and least-loaded
 * breaks ties the same way.
 */
export function chooseAssignee(
  candidates: readonly string[],
  openAssigned: ReadonlyMap<string, number>,
  settings: AutomaticAssignment,
  turn: number,
): string | null {
  if (settings.mode === 'off' || candidates.length === 0) return null;
  const load = (id: string) => openAssigned.get(id) ?? 0;
  const start = ((turn % candidates.length) + candidates.length) % candidates.length;
  const inTurn = [...candidates.slice(start), ...candidates.slice(0, start)];
  const available = inTurn.filter(
    (id) => settings.capacity === null || load(id) < settings.capacity,
  );
  if (available.length === 0) return null;
  if (settings.mode === 'round-robin') return available[0]!;
  return available.reduce((best, id) => (load(id) < load(best) ? id : best));
}

/** The system gives a queued thread to `assigneeMemberId` (how: automatic). */
export function assignAutomatically(
  thread: ThreadState,
  assigneeMemberId: string,
  now: string,
): Transition {
  return changed(
    thread,
    { assigneeMemberId },
    {
      kind: 'assigned',
      assigneeMemberId,
      previousAssigneeMemberId: null,
      byMemberId: null,
      how: 'automatic',
    },
    entry('assigned', 'system', null, now, {
      assigneeMemberId,
      previousAssigneeMemberId: null,
      how: 'automatic',
    }),
  );
}
