import type { AutomaticAssignment } from './automatic-assignment.js';
import { businessDeadline, isOpenAt, type BusinessHours } from './business-time.js';
import { changed, entry } from './thread-change.js';
import type { ThreadState, TimelineEntry, Transition } from './thread-state.js';

/** What a thread follows of its group's workflow settings (group-config owns them). */
export interface ThreadWorkflow {
  responseTargetSeconds: number | null;
  /** null: always open. */
  businessHours: BusinessHours | null;
  acknowledgement: { when: 'always' | 'outside-business-hours'; text: string } | null;
  returnToQueueSeconds: number | null;
  assignment: AutomaticAssignment;
}

/** A group that sets none of it: no target, always open, no acknowledgement, no return to queue, assignment by hand. */
export const NO_WORKFLOW: ThreadWorkflow = {
  responseTargetSeconds: null,
  businessHours: null,
  acknowledgement: null,
  returnToQueueSeconds: null,
  assignment: { mode: 'off', capacity: null },
};

/** The steps that begin a wait for a reply, and those that end it. */
const WAIT_BEGINS: ReadonlySet<TimelineEntry['kind']> = new Set(['sent', 'follow-up', 'restored']);
const WAIT_ENDS: ReadonlySet<TimelineEntry['kind']> = new Set(['replied', 'trashed']);
const PATIENT_MESSAGES: ReadonlySet<TimelineEntry['kind']> = new Set(['sent', 'follow-up']);

/** A routed thread waits for a reply while it is Not Replied and out of Trash. */
export const isWaiting = (thread: ThreadState): boolean =>
  thread.routing !== null && thread.status === 'not-replied' && !thread.trashed;

/**
 * The step that began the current wait: the first patient message (or
 * restore) since a reply or a trash last ended one. A follow-up that takes
 * a thread out of Trash began the wait when the patient sent it.
 */
function waitBeganWith(thread: ThreadState): TimelineEntry | null {
  if (!isWaiting(thread)) return null;
  let began: TimelineEntry | null = null;
  for (let i = thread.timeline.length - 1; i >= 0; i--) {
    const step = thread.timeline[i]!;
    if (WAIT_ENDS.has(step.kind)) break;
    if (WAIT_BEGINS.has(step.kind)) began = step;
  }
  return began;
}

const lastAt = (thread: ThreadState, kinds: ReadonlySet<TimelineEntry['kind']>): string =>
  thread.timeline.findLast((step) => kinds.has(step.kind))?.at ?? '';

const ASSIGNED: ReadonlySet<TimelineEntry['kind']> = new Set(['assigned']);
const RESTORED: ReadonlySet<TimelineEntry['kind']> = new Set(['restored']);

/** Return to queue counts from the assignment or the patient's latest message, whichever is later. */
function silenceBegan(thread: ThreadState): string {
  return [lastAt(thread, ASSIGNED), lastAt(thread, PATIENT_MESSAGES), lastAt(thread, RESTORED)]
    .sort()
    .at(-1)!;
}

const deadline = (from: string, seconds: number, hours: BusinessHours | null): string | null =>
  businessDeadline(new Date(from), seconds, hours)?.toISOString() ?? null;

/**
 * The response target and return-to-queue deadlines that follow from a
 * change of the thread. A wait's target is fixed when the wait begins (a
 * later settings change applies to later waits) and counted in the group's
 * business time; an overdue wait stays overdue until a reply or a trash
 * ends it. `before` is null for a thread just opened; `workflow` is null
 * for a direct message (no group, no targets).
 */
export function followWorkflow(
  before: ThreadState | null,
  after: ThreadState,
  workflow: ThreadWorkflow | null,
): ThreadState {
  const awaitingSince = waitBeganWith(after)?.at ?? null;
  // `after` carries the wait's fields from before the change (and an overdue a deadline just set).
  const sameWait =
    before !== null && awaitingSince !== null && after.awaitingSince === awaitingSince;
  if (sameWait) return { ...after, silentBy: silentBy(before, after, workflow) };
  const target = workflow?.responseTargetSeconds ?? null;
  const respondBy =
    awaitingSince && target ? deadline(awaitingSince, target, workflow!.businessHours) : null;
  return {
    ...after,
    awaitingSince,
    responseTarget: respondBy ? { seconds: target!, respondBy } : null,
    overdue: false,
    silentBy: silentBy(before, after, workflow),
  };
}

function silentBy(
  before: ThreadState | null,
  after: ThreadState,
  workflow: ThreadWorkflow | null,
): string | null {
  const seconds = workflow?.returnToQueueSeconds ?? null;
  if (!seconds || !after.assigneeMemberId || !isWaiting(after)) return null;
  const from = silenceBegan(after);
  const sameSilence =
    before !== null &&
    before.silentBy !== null &&
    before.assigneeMemberId === after.assigneeMemberId &&
    silenceBegan(before) === from;
  return sameSilence ? before.silentBy : deadline(from, seconds, workflow!.businessHours);
}

/**
 * The group's automatic acknowledgement, when a patient message began a
 * new wait: always, or only when it was sent outside business hours. Once
 * a wait (a patient writing three times in a row hears it once), under the
 * group's name, and no reply: the thread stays Not Replied and its target
 * keeps running.
 */
export function acknowledge(
  before: ThreadState | null,
  after: ThreadState,
  workflow: ThreadWorkflow | null,
  senderDisplayName: string | null,
  acknowledgementId: string,
  now: string,
): Transition | null {
  const acknowledgement = workflow?.acknowledgement;
  if (!acknowledgement || !senderDisplayName) return null;
  if (after.awaitingSince === null || before?.awaitingSince === after.awaitingSince) return null;
  const began = waitBeganWith(after);
  if (!began || !PATIENT_MESSAGES.has(began.kind)) return null;
  if (
    acknowledgement.when === 'outside-business-hours' &&
    isOpenAt(new Date(began.at), workflow.businessHours)
  ) {
    return null;
  }
  const messageId = String(began.details.messageId);
  return changed(
    after,
    {},
    {
      kind: 'acknowledged',
      acknowledgementId,
      messageId,
      senderDisplayName,
      body: acknowledgement.text,
      when: acknowledgement.when,
    },
    entry('acknowledged', 'system', null, now, {
      acknowledgementId,
      messageId,
      when: acknowledgement.when,
    }),
  );
}

/** The next deadline of the thread, if any runs: what the timer sweep looks for. */
export function nextDeadline(thread: ThreadState): string | null {
  const due = [
    thread.responseTarget && !thread.overdue ? thread.responseTarget.respondBy : null,
    thread.silentBy,
  ].filter((at): at is string => at !== null);
  return isWaiting(thread) && due.length ? due.sort()[0]! : null;
}

/**
 * What a deadline that fell due does, one at a time: the wait becomes
 * overdue, then a silent assignee loses the thread to the group's queue
 * (`assignee-silent`). Null when nothing is due at `now`: a timer that
 * fires late, twice, or after a reply changes nothing.
 */
export function fireDeadline(thread: ThreadState, now: string): Transition | null {
  if (!isWaiting(thread)) return null;
  const target = thread.responseTarget;
  if (target && !thread.overdue && target.respondBy <= now) {
    return changed(
      thread,
      { overdue: true },
      {
        kind: 'overdue',
        awaitingSince: thread.awaitingSince!,
        respondBy: target.respondBy,
        targetSeconds: target.seconds,
      },
      entry('overdue', 'system', null, now, {
        respondBy: target.respondBy,
        targetSeconds: target.seconds,
      }),
    );
  }
  const previousAssigneeMemberId = thread.assigneeMemberId;
  if (thread.silentBy && previousAssigneeMemberId && thread.silentBy <= now) {
    return changed(
      thread,
      { assigneeMemberId: null, silentBy: null },
      { kind: 'unassigned', previousAssigneeMemberId, reason: 'assignee-silent' },
      entry('unassigned', 'system', null, now, {
        previousAssigneeMemberId,
        reason: 'assignee-silent',
      }),
    );
  }
  return null;
}

/**
 * The thread after a change, as its group's workflow makes it: deadlines
 * set or cleared, and the acknowledgement a new wait may send (one more
 * step, published after the change's own).
 */
export function applyWorkflow(
  before: ThreadState | null,
  after: ThreadState,
  workflow: ThreadWorkflow | null,
  senderDisplayName: string | null,
  acknowledgementId: string,
  now: string,
): { state: ThreadState; steps: Transition[] } {
  // A direct message is the addressee's, not a group's: no group's workflow applies to it.
  const settings = after.routing === 'direct' ? null : workflow;
  const followed = followWorkflow(before, after, settings);
  const ack = acknowledge(before, followed, settings, senderDisplayName, acknowledgementId, now);
  return ack ? { state: ack.state, steps: [ack] } : { state: followed, steps: [] };
}
