import type { ProgressFact, ThreadProgress } from './progress-fact.js';
import type { ReportPeriod } from './report-period.js';

/** A group's report, or the whole practice's (every group and the direct messages). */
export type ReportScope = { kind: 'group'; groupId: string } | { kind: 'practice' };

/** How long the Not Replied threads have waited, at the time of the report. */
export const AGE_BUCKETS = [
  { name: 'under-1h', belowMs: 3_600_000 },
  { name: '1h-to-4h', belowMs: 4 * 3_600_000 },
  { name: '4h-to-24h', belowMs: 24 * 3_600_000 },
  { name: '1d-to-3d', belowMs: 3 * 24 * 3_600_000 },
  { name: 'over-3d', belowMs: Number.POSITIVE_INFINITY },
] as const;

export type AgeBucket = (typeof AGE_BUCKETS)[number]['name'];

export interface FirstResponse {
  /** Threads whose first reply fell in the period. */
  threads: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface ActivityFigures {
  /** Patient messages: first messages and follow-ups. */
  messagesReceived: number;
  threadsOpened: number;
  replies: number;
  firstResponse: FirstResponse;
  /** Replies to a wait with a first-response target, and how many met it; null: no target applied. */
  withinTarget: { replies: number; met: number; share: number } | null;
  /** Assignments of a thread someone already held. */
  reassignments: number;
}

export interface Backlog {
  asOf: string;
  notReplied: number;
  replied: number;
  trash: number;
  /** Not Replied and nobody assigned. */
  unassigned: number;
  notRepliedByAge: Record<AgeBucket, number>;
}

export interface AssigneeWorkload {
  memberId: string;
  /** Threads assigned to them in the period. */
  assigned: number;
  /** Replies they sent in the period. */
  replies: number;
  /** Not Replied threads they hold now. */
  openNow: number;
}

export interface GroupFigures extends ActivityFigures {
  /** null: direct messages to members. */
  groupId: string | null;
  notRepliedNow: number;
}

export interface ProgressReport extends ActivityFigures {
  practiceId: string;
  scope: ReportScope;
  period: ReportPeriod;
  backlog: Backlog;
  assignees: AssigneeWorkload[];
  /** Practice-wide reports only: the same figures per group. */
  groups?: GroupFigures[];
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const count = (facts: readonly ProgressFact[], kind: string) =>
  facts.filter((fact) => fact.fact === kind).length;

function activity(facts: readonly ProgressFact[]): ActivityFigures {
  const firstReplies = facts
    .map((fact) => fact.timeToFirstReplyMs)
    .filter((ms): ms is number => ms !== null);
  const targeted = facts.filter((fact) => fact.fact === 'replied' && fact.withinTarget !== null);
  const met = targeted.filter((fact) => fact.withinTarget).length;
  return {
    messagesReceived: count(facts, 'opened') + count(facts, 'patient-followed-up'),
    threadsOpened: count(facts, 'opened'),
    replies: count(facts, 'replied'),
    firstResponse: {
      threads: firstReplies.length,
      p50Ms: percentile(firstReplies, 50),
      p90Ms: percentile(firstReplies, 90),
    },
    withinTarget: targeted.length
      ? { replies: targeted.length, met, share: met / targeted.length }
      : null,
    reassignments: facts.filter(
      (fact) => fact.fact === 'assigned' && fact.previousAssigneeMemberId !== null,
    ).length,
  };
}

/** Not Replied and not in Trash: a patient waits. */
export const isWaiting = (thread: Pick<ThreadProgress, 'trashed' | 'status'>): boolean =>
  !thread.trashed && thread.status === 'not-replied';

/** How many of the scope's threads are Replied and in Trash now (the waiting ones are listed). */
export interface StatusCounts {
  replied: number;
  trash: number;
}

function backlog(waiting: readonly ThreadProgress[], counts: StatusCounts, now: string): Backlog {
  const byAge = Object.fromEntries(AGE_BUCKETS.map(({ name }) => [name, 0])) as Record<
    AgeBucket,
    number
  >;
  for (const thread of waiting) {
    const age = Date.parse(now) - Date.parse(thread.waitingSince ?? thread.openedAt);
    byAge[AGE_BUCKETS.find((bucket) => age < bucket.belowMs)!.name]++;
  }
  return {
    asOf: now,
    notReplied: waiting.length,
    replied: counts.replied,
    trash: counts.trash,
    unassigned: waiting.filter((t) => t.assigneeMemberId === null).length,
    notRepliedByAge: byAge,
  };
}

function workload(facts: readonly ProgressFact[], waiting: readonly ThreadProgress[]) {
  const members = new Map<string, AssigneeWorkload>();
  const of = (memberId: string) => {
    let figures = members.get(memberId);
    if (!figures) {
      figures = { memberId, assigned: 0, replies: 0, openNow: 0 };
      members.set(memberId, figures);
    }
    return figures;
  };
  for (const fact of facts) {
    if (fact.fact === 'assigned' && fact.assigneeMemberId) of(fact.assigneeMemberId).assigned++;
    if (fact.fact === 'replied' && fact.actorMemberId) of(fact.actorMemberId).replies++;
  }
  for (const thread of waiting) {
    if (thread.assigneeMemberId) of(thread.assigneeMemberId).openNow++;
  }
  return [...members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
}

function perGroup(facts: readonly ProgressFact[], waiting: readonly ThreadProgress[]) {
  const groupIds = [
    ...new Set([...facts.map((f) => f.groupId), ...waiting.map((t) => t.groupId)]),
  ].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  return groupIds.map((groupId): GroupFigures => ({
    groupId,
    ...activity(facts.filter((fact) => fact.groupId === groupId)),
    notRepliedNow: waiting.filter((t) => t.groupId === groupId).length,
  }));
}

/**
 * The progress of a group (or the practice) over a period: what came in and
 * what was answered, how fast the first replies came (p50, p90) and how many
 * met the group's target, the reassignments, the backlog now and each
 * assignee's load. `facts` are the scope's facts in the period; `waiting`
 * its threads waiting for a reply now, and `counts` how many others are
 * Replied and in Trash.
 */
export function progressReport(input: {
  practiceId: string;
  scope: ReportScope;
  period: ReportPeriod;
  facts: readonly ProgressFact[];
  waiting: readonly ThreadProgress[];
  counts: StatusCounts;
  now: string;
}): ProgressReport {
  const { facts, now } = input;
  const waiting = input.waiting.filter(isWaiting);
  return {
    practiceId: input.practiceId,
    scope: input.scope,
    period: input.period,
    ...activity(facts),
    backlog: backlog(waiting, input.counts, now),
    assignees: workload(facts, waiting),
    ...(input.scope.kind === 'practice' ? { groups: perGroup(facts, waiting) } : {}),
  };
}
