import type { ThreadState, TimelineEntry, TimelineKind } from './thread-state.js';

/** What a step of the thread is called on the analytics stream. */
const FACT_OF: Record<TimelineKind, string> = {
  sent: 'opened',
  routed: 'routed',
  assigned: 'assigned',
  unassigned: 'unassigned',
  replied: 'replied',
  'follow-up': 'patient-followed-up',
  trashed: 'trashed',
  restored: 'restored',
  overdue: 'overdue',
  acknowledged: 'acknowledged',
  'note-added': 'note-added',
};

/** What the stream's words look like (lower-case codes): anything else is not put on it. */
const WORD = /^[a-z][a-z0-9-]{0,63}$/;
const word = (value: string | undefined | null, otherwise: string): string =>
  value && WORD.test(value) ? value : otherwise;

/** The timeline details that are known words, never ids of people or text: how, why, when. */
const REASON_DETAILS = ['how', 'reason', 'when'] as const;

/**
 * One step of a thread for analytics, before its patient key is made: ids,
 * known words, times and durations only. Never the patient's id (the
 * application replaces it with a keyed hash), never text.
 */
export interface AnalyticsFact {
  practiceId: string;
  threadId: string;
  sequence: number;
  fact: string;
  occurredAt: string;
  openedAt: string;
  groupId: string | null;
  routing: string | null;
  facilityId: string | null;
  categoryIds: string[];
  channel: string;
  status: string;
  trashed: boolean;
  assigneeMemberId: string | null;
  previousAssigneeMemberId: string | null;
  actor: string;
  actorMemberId: string | null;
  reason: string | null;
  sinceOpenedMs: number;
  timeToFirstReplyMs: number | null;
  timeToFirstAssignmentMs: number | null;
  responseMs: number | null;
  responseTargetSeconds: number | null;
  withinTarget: boolean | null;
}

const between = (from: string, to: string): number =>
  Math.max(0, Date.parse(to) - Date.parse(from));

function idDetail(step: TimelineEntry, name: string): string | null {
  const value = step.details[name];
  return typeof value === 'string' ? value : null;
}

function reasonOf(step: TimelineEntry): string | null {
  for (const name of REASON_DETAILS) {
    const value = step.details[name];
    if (typeof value === 'string') return word(value, 'other');
  }
  return null;
}

/** The first step of its kind in the thread (first reply, first assignment). */
const isFirst = (timeline: TimelineEntry[], index: number): boolean =>
  timeline.findIndex((step) => step.kind === timeline[index]!.kind) === index;

/** How long the wait a reply ends took, and whether it met its target (on the thread before the reply). */
function response(before: ThreadState | null, at: string) {
  const target = before?.responseTarget ?? null;
  return {
    responseMs: before?.awaitingSince ? between(before.awaitingSince, at) : null,
    responseTargetSeconds: target?.seconds ?? null,
    withinTarget: target ? Date.parse(at) <= Date.parse(target.respondBy) : null,
  };
}

const NO_RESPONSE = { responseMs: null, responseTargetSeconds: null, withinTarget: null };

/**
 * The analytics facts of one change of a thread: one per timeline step it
 * added (`before` is the thread before the change; null when it opens). A
 * fact's sequence is its step's place in the timeline, so the same change
 * written twice gives the same facts, and readers dedupe on (thread, sequence).
 */
export function analyticsFactsOf(before: ThreadState | null, after: ThreadState): AnalyticsFact[] {
  const { timeline } = after;
  const openedAt = timeline[0]!.at;
  const context = after.patientContext;
  const facts: AnalyticsFact[] = [];
  for (let index = before?.timeline.length ?? 0; index < timeline.length; index++) {
    const step = timeline[index]!;
    const overdueTarget = step.kind === 'overdue' ? step.details.targetSeconds : null;
    facts.push({
      practiceId: after.practiceId,
      threadId: after.threadId,
      sequence: index + 1,
      fact: FACT_OF[step.kind],
      occurredAt: step.at,
      openedAt,
      groupId: after.groupId,
      routing: after.routing,
      facilityId: context?.facilityId ?? null,
      categoryIds: [...(context?.categoryIds ?? [])],
      // Recorded by the intake from its own list, but checked: a stray value is not a word to publish.
      channel: word(context?.channel, 'unknown'),
      status: after.status,
      trashed: after.trashed,
      assigneeMemberId: after.assigneeMemberId,
      previousAssigneeMemberId: idDetail(step, 'previousAssigneeMemberId'),
      actor: step.actorKind,
      // A patient's id is never a fact; a member's is (staff, for workload).
      actorMemberId: step.actorKind === 'member' ? step.actorId : null,
      reason: reasonOf(step),
      sinceOpenedMs: between(openedAt, step.at),
      timeToFirstReplyMs:
        step.kind === 'replied' && isFirst(timeline, index) ? between(openedAt, step.at) : null,
      timeToFirstAssignmentMs:
        step.kind === 'assigned' && isFirst(timeline, index) ? between(openedAt, step.at) : null,
      ...(step.kind === 'replied'
        ? response(before, step.at)
        : {
            ...NO_RESPONSE,
            responseTargetSeconds: typeof overdueTarget === 'number' ? overdueTarget : null,
          }),
    });
  }
  return facts;
}
