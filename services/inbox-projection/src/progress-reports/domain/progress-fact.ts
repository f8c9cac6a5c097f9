/**
 * A step of a thread as reports read it: the fields of the analytics
 * stream's ThreadFact they use (ids, words, times; never PHI).
 */
export interface ProgressFact {
  practiceId: string;
  threadId: string;
  sequence: number;
  fact: string;
  occurredAt: string;
  openedAt: string;
  groupId: string | null;
  status: string;
  trashed: boolean;
  assigneeMemberId: string | null;
  previousAssigneeMemberId: string | null;
  actorMemberId: string | null;
  timeToFirstReplyMs: number | null;
  withinTarget: boolean | null;
}

/** A thread as it stands after the last of its facts: what the backlog and the open workload count. */
export interface ThreadProgress {
  practiceId: string;
  threadId: string;
  groupId: string | null;
  openedAt: string;
  status: string;
  trashed: boolean;
  assigneeMemberId: string | null;
  /** The oldest patient message no reply has answered yet; null when none waits. */
  waitingSince: string | null;
  /** The last fact folded in. */
  sequence: number;
}

/**
 * Folds a thread's facts, in their sequence order whatever order they came
 * in (a repeat changes nothing): its state after the last, and since when
 * the patient has waited for a reply.
 */
export function threadProgress(facts: readonly ProgressFact[]): ThreadProgress {
  const ordered = [...facts].sort((a, b) => a.sequence - b.sequence);
  const last = ordered.at(-1);
  if (!last) throw new Error('a thread has at least one fact');
  let waitingSince: string | null = null;
  for (const fact of ordered) {
    if (fact.fact === 'opened' || fact.fact === 'patient-followed-up') {
      waitingSince ??= fact.occurredAt;
    } else if (fact.fact === 'replied') waitingSince = null;
  }
  return {
    practiceId: last.practiceId,
    threadId: last.threadId,
    groupId: last.groupId,
    openedAt: last.openedAt,
    status: last.status,
    trashed: last.trashed,
    assigneeMemberId: last.assigneeMemberId,
    waitingSince: last.status === 'not-replied' ? (waitingSince ?? last.openedAt) : null,
    sequence: last.sequence,
  };
}
