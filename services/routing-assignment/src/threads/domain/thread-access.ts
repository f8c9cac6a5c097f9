import type { ThreadState, UnassignReason } from './thread-state.js';

export type GroupPrivilege = 'admin' | 'user';

/** A group as configured now (settings replica). */
export interface GroupFacts {
  name: string;
  members: readonly { memberId: string; privilege: GroupPrivilege }[];
}

/**
 * What the rules need besides the thread, read from the local replicas at
 * the moment of the decision, so that a membership, privilege, care-team or
 * deactivation change counts as soon as its event has arrived.
 */
export interface AccessFacts {
  /** The thread's group now; null for a direct message, or when the group is deleted or unknown. */
  group: GroupFacts | null;
  /** The patient's in-house care team now (read for care-team threads; empty otherwise). */
  careTeamMemberIds: readonly string[];
  /** Which of the members concerned are active in the directory now (ADR 0006). */
  activeMemberIds: ReadonlySet<string>;
  /**
   * The members concerned who are out of office now, each with the cover
   * named for the period (null: nobody covers). Absent: nobody is out.
   */
  away?: ReadonlyMap<string, string | null>;
}

export type ThreadAccess = Pick<
  ThreadState,
  'routing' | 'groupId' | 'addresseeMemberId' | 'assigneeMemberId'
>;

const isActive = (facts: AccessFacts, memberId: string) => facts.activeMemberIds.has(memberId);

/** Out of office now (one of the member's periods is running). */
export const isAway = (facts: AccessFacts, memberId: string): boolean =>
  facts.away?.has(memberId) ?? false;

/** The cover named for the member's current period; null when they are in, or nobody covers. */
export const coverOf = (facts: AccessFacts, memberId: string): string | null =>
  facts.away?.get(memberId) ?? null;

const isGroupThread = (thread: ThreadAccess, facts: AccessFacts): boolean =>
  (thread.routing === 'specific-members' || thread.routing === 'care-team') && facts.group !== null;

/** An active Admin of the thread's (live) group. */
export function isGroupAdmin(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return (
    isGroupThread(thread, facts) &&
    isActive(facts, memberId) &&
    facts.group!.members.some((m) => m.memberId === memberId && m.privilege === 'admin')
  );
}

/** An active member of the thread's group, Admin or User. */
export function isGroupMember(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return (
    isGroupThread(thread, facts) &&
    isActive(facts, memberId) &&
    facts.group!.members.some((m) => m.memberId === memberId)
  );
}

/** An active member of the patient's in-house care team, on a care-team thread. */
export function isCareTeamMember(
  thread: ThreadAccess,
  facts: AccessFacts,
  memberId: string,
): boolean {
  return (
    thread.routing === 'care-team' &&
    isGroupThread(thread, facts) &&
    isActive(facts, memberId) &&
    facts.careTeamMemberIds.includes(memberId)
  );
}

/** The active member a direct message was written to. */
export function isAddressee(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return (
    thread.routing === 'direct' &&
    thread.addresseeMemberId === memberId &&
    isActive(facts, memberId)
  );
}

/**
 * The named cover of a direct message's addressee while the addressee is
 * out of office: they see it and may answer it for that period only. A
 * cover who is out themself covers nobody.
 */
export function isCover(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  const addressee = thread.addresseeMemberId;
  return (
    thread.routing === 'direct' &&
    addressee !== null &&
    addressee !== memberId &&
    isAway(facts, addressee) &&
    coverOf(facts, addressee) === memberId &&
    isActive(facts, memberId) &&
    !isAway(facts, memberId)
  );
}

/**
 * Who may hold the thread: an active member of a Specific Members group (any
 * privilege, so an Admin may take it themself); on a care-team thread, an
 * active member of the patient's care team or an Admin of the group. A direct
 * message is never assigned.
 */
export function validAssignee(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  if (thread.routing === 'specific-members') return isGroupMember(thread, facts, memberId);
  if (thread.routing === 'care-team') {
    return isCareTeamMember(thread, facts, memberId) || isGroupAdmin(thread, facts, memberId);
  }
  return false;
}

/** The assignee, as long as they may still hold the thread (a stale assignment grants nothing). */
export function isCurrentAssignee(
  thread: ThreadAccess,
  facts: AccessFacts,
  memberId: string,
): boolean {
  return thread.assigneeMemberId === memberId && validAssignee(thread, facts, memberId);
}

/** Admins see every thread of their group; Users what is assigned to them; care teams their patient's; a member their direct messages (and their cover, while they are out). */
export function canView(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return (
    isGroupAdmin(thread, facts, memberId) ||
    isCurrentAssignee(thread, facts, memberId) ||
    isCareTeamMember(thread, facts, memberId) ||
    isAddressee(thread, facts, memberId) ||
    isCover(thread, facts, memberId)
  );
}

/**
 * Whether a refusal may say "not allowed" (403) rather than "not found"
 * (404): for those who see the thread, and for the group's own members, who
 * know the group's threads exist (a User whose thread was reassigned away
 * learns why their reply is refused). Everyone else gets 404.
 */
export function knowsThread(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return canView(thread, facts, memberId) || isGroupMember(thread, facts, memberId);
}

/** Whoever may see the thread may answer it: coverage is for answering the addressee's patients. */
export const canReply = canView;

/**
 * Internal notes are the audience's discussion of the thread: whoever may
 * see it may add one; anyone else learns nothing of the thread (404), the
 * group's other members included.
 */
export const canAddNote = canView;

/** Only active Admins of the group assign and reassign. */
export function canAssign(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return isGroupAdmin(thread, facts, memberId);
}

/**
 * Trash hides a thread from every inbox's "All": a decision for whoever is
 * accountable for the whole group's mail, its Admins. A direct message has
 * no group: its addressee, who alone sees it, is accountable for it.
 */
export function canTrash(thread: ThreadAccess, facts: AccessFacts, memberId: string): boolean {
  return isGroupAdmin(thread, facts, memberId) || isAddressee(thread, facts, memberId);
}

export const canRestore = canTrash;

/** The progress timeline is the Admins' tracking tool (the addressee's, for a direct message). */
export function canSeeTimeline(
  thread: ThreadAccess,
  facts: AccessFacts,
  memberId: string,
): boolean {
  return isGroupAdmin(thread, facts, memberId) || isAddressee(thread, facts, memberId);
}

/** What made the check of an assignment necessary. */
export type UnassignTrigger =
  'member-changed' | 'group-changed' | 'care-team-changed' | 'out-of-office-changed';

/**
 * Why the assignee must lose the thread, or null if they may keep it. An
 * assignee who stops being a valid assignee (deactivated, removed from the
 * group, or, on a care-team thread, no longer on the patient's care team nor
 * an Admin) is unassigned. A deleted group's threads are left as they are:
 * they have left every inbox anyway.
 */
export function unassignmentReason(
  thread: ThreadAccess,
  facts: AccessFacts,
  trigger: UnassignTrigger,
): UnassignReason | null {
  const assignee = thread.assigneeMemberId;
  if (assignee === null || thread.routing === 'direct' || thread.routing === null) return null;
  if (facts.group === null || validAssignee(thread, facts, assignee)) return null;
  if (!isActive(facts, assignee)) return 'member-deactivated';
  if (thread.routing === 'care-team' && trigger === 'care-team-changed') return 'care-team-changed';
  return 'member-removed-from-group';
}
