import {
  coverOf,
  isAddressee,
  isCareTeamMember,
  isCover,
  isCurrentAssignee,
  isGroupAdmin,
  type AccessFacts,
  type ThreadAccess,
} from './thread-access.js';

/** Why a member may see a thread. */
export type AudienceReason = 'admin' | 'assignee' | 'care-team' | 'addressee' | 'cover';

export interface AudienceMember {
  memberId: string;
  reason: AudienceReason;
}

/** Why this member may see the thread now, or null: the same rules as canView, named. */
function reasonOf(
  thread: ThreadAccess,
  facts: AccessFacts,
  memberId: string,
): AudienceReason | null {
  if (isGroupAdmin(thread, facts, memberId)) return 'admin';
  if (isAddressee(thread, facts, memberId)) return 'addressee';
  if (isCareTeamMember(thread, facts, memberId)) return 'care-team';
  if (isCurrentAssignee(thread, facts, memberId)) return 'assignee';
  if (isCover(thread, facts, memberId)) return 'cover';
  return null;
}

/**
 * Everyone who may see the thread now, with why, ordered by member id: what
 * routing-assignment publishes as the thread's audience (ADR 0016), so that
 * the read model lists exactly what this service lets a member open. The
 * only people the rules can name are the group's members, the patient's
 * care team, the assignee, the addressee and, while the addressee is out of
 * office, their cover (at most 10 group members plus the care team). An
 * unrouted thread has no audience yet.
 */
export function threadAudience(thread: ThreadAccess, facts: AccessFacts): AudienceMember[] {
  if (thread.routing === null) return [];
  const candidates = new Set<string>([
    ...(facts.group?.members.map((m) => m.memberId) ?? []),
    ...facts.careTeamMemberIds,
    ...[thread.assigneeMemberId, thread.addresseeMemberId].filter((id) => id !== null),
    ...(thread.addresseeMemberId ? [coverOf(facts, thread.addresseeMemberId)] : []).filter(
      (id) => id !== null,
    ),
  ]);
  return [...candidates].sort().flatMap((memberId) => {
    const reason = reasonOf(thread, facts, memberId);
    return reason ? [{ memberId, reason }] : [];
  });
}

export function sameAudience(a: readonly AudienceMember[], b: readonly AudienceMember[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => m.memberId === b[i]!.memberId && m.reason === b[i]!.reason)
  );
}
