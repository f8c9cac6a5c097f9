import type { RoutingKind } from './thread-view.js';

/**
 * Who may see a thread, mirroring routing-assignment's rules (its
 * `thread-access.ts`, ADR 0011) so that the inbox lists exactly what the
 * write side lets a member open. Evaluated against the replicas as they are
 * now: a membership, privilege, care-team or deactivation change counts as
 * soon as its event has been applied.
 */
export type GroupPrivilege = 'admin' | 'user';

export interface GroupFacts {
  name: string;
  recipientMode: 'specific-members' | 'care-team';
  members: readonly { memberId: string; privilege: GroupPrivilege }[];
}

export interface AccessFacts {
  /** The thread's group now; null for a direct message, or a deleted or unknown group. */
  group: GroupFacts | null;
  /** The patient's in-house care team now. */
  careTeamMemberIds: readonly string[];
  /** Members active in the directory now (ADR 0006: inactive members have no rights). */
  activeMemberIds: ReadonlySet<string>;
}

export interface ThreadAccess {
  routing: RoutingKind | null;
  addresseeMemberId: string | null;
  assigneeMemberId: string | null;
}

/** Why a member sees a thread; `admin` and `addressee` also see the timeline. */
export type Audience = 'admin' | 'assignee' | 'care-team' | 'addressee';

const isGroupThread = (t: ThreadAccess, f: AccessFacts): boolean =>
  (t.routing === 'specific-members' || t.routing === 'care-team') && f.group !== null;

const active = (f: AccessFacts, memberId: string) => f.activeMemberIds.has(memberId);

export function isGroupAdmin(t: ThreadAccess, f: AccessFacts, memberId: string): boolean {
  return (
    isGroupThread(t, f) &&
    active(f, memberId) &&
    f.group!.members.some((m) => m.memberId === memberId && m.privilege === 'admin')
  );
}

function isGroupMember(t: ThreadAccess, f: AccessFacts, memberId: string): boolean {
  return (
    isGroupThread(t, f) &&
    active(f, memberId) &&
    f.group!.members.some((m) => m.memberId === memberId)
  );
}

function isCareTeamMember(t: ThreadAccess, f: AccessFacts, memberId: string): boolean {
  return (
    t.routing === 'care-team' &&
    isGroupThread(t, f) &&
    active(f, memberId) &&
    f.careTeamMemberIds.includes(memberId)
  );
}

function isAddressee(t: ThreadAccess, f: AccessFacts, memberId: string): boolean {
  return t.routing === 'direct' && t.addresseeMemberId === memberId && active(f, memberId);
}

function validAssignee(t: ThreadAccess, f: AccessFacts, memberId: string): boolean {
  if (t.routing === 'specific-members') return isGroupMember(t, f, memberId);
  if (t.routing === 'care-team')
    return isCareTeamMember(t, f, memberId) || isGroupAdmin(t, f, memberId);
  return false;
}

/** Why this member sees the thread, or null: the single rule behind every list and every open. */
export function audienceOf(t: ThreadAccess, f: AccessFacts, memberId: string): Audience | null {
  if (isGroupAdmin(t, f, memberId)) return 'admin';
  if (isAddressee(t, f, memberId)) return 'addressee';
  if (isCareTeamMember(t, f, memberId)) return 'care-team';
  if (t.assigneeMemberId === memberId && validAssignee(t, f, memberId)) return 'assignee';
  return null;
}

/**
 * Everyone who may see the thread now, with why. Candidates are the only
 * people the rules can name: the group's members, the patient's care team,
 * the assignee and the addressee (a group has at most 10 members, so the
 * fan-out is bounded by 10 plus the care team).
 */
export function audience(t: ThreadAccess, f: AccessFacts): Map<string, Audience> {
  const candidates = new Set<string>();
  for (const m of f.group?.members ?? []) candidates.add(m.memberId);
  for (const id of f.careTeamMemberIds) candidates.add(id);
  if (t.assigneeMemberId) candidates.add(t.assigneeMemberId);
  if (t.addresseeMemberId) candidates.add(t.addresseeMemberId);
  const result = new Map<string, Audience>();
  for (const memberId of [...candidates].sort()) {
    const why = audienceOf(t, f, memberId);
    if (why) result.set(memberId, why);
  }
  return result;
}

export const seesTimeline = (why: Audience): boolean => why === 'admin' || why === 'addressee';
