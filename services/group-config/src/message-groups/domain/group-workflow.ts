import { checkBusinessHours, type BusinessHours } from './business-hours.js';
import type { MessageGroupState } from './message-group.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';

export type AcknowledgementWhen = 'always' | 'outside-business-hours';

export const ACKNOWLEDGEMENT_WHEN: readonly AcknowledgementWhen[] = [
  'always',
  'outside-business-hours',
];

export type AssignmentMode = 'off' | 'round-robin' | 'least-loaded';

export const ASSIGNMENT_MODES: readonly AssignmentMode[] = ['off', 'round-robin', 'least-loaded'];

/**
 * Automatic assignment of the group's waiting unassigned threads (routing
 * acts on it): 'off', by hand only; 'round-robin', its members in turn;
 * 'least-loaded', the one with the fewest open assigned threads in the group.
 */
export interface GroupAssignment {
  mode: AssignmentMode;
  /** Most open assigned threads a member takes automatically; null: no limit. */
  capacity: number | null;
}

/** Assignment by hand only: what a group works with until it chooses otherwise. */
export const ASSIGNMENT_OFF: GroupAssignment = { mode: 'off', capacity: null };

/** How a group works its queue. Durations are whole seconds of business time. */
export interface GroupWorkflow {
  /** null: no first-response target. */
  responseTargetSeconds: number | null;
  /** null: always open. */
  businessHours: BusinessHours | null;
  /** null: no automatic acknowledgement. */
  acknowledgement: { when: AcknowledgementWhen; text: string } | null;
  /** null: an assignee keeps a thread however long they stay silent. */
  returnToQueueSeconds: number | null;
  /** { mode: 'off', capacity: null }: assignment by hand only. */
  assignment: GroupAssignment;
}

/** What a group that never set its workflow works with. */
export const DEFAULT_WORKFLOW: GroupWorkflow = {
  responseTargetSeconds: null,
  businessHours: null,
  acknowledgement: null,
  returnToQueueSeconds: null,
  assignment: ASSIGNMENT_OFF,
};

/** One year (the event contract's bound): the longest target or return-to-queue delay. */
export const MAX_DURATION_SECONDS = 31_536_000;
export const MAX_ACKNOWLEDGEMENT_LENGTH = 1000;
/** The most open assigned threads a member may take automatically, when limited. */
export const MAX_ASSIGNMENT_CAPACITY = 1000;

const CONTROL = /\p{Cc}/u;

const invalid = (code: string, message: string) => new MessageGroupRuleViolation(code, message);

/** The group's members see its workflow (holders of Practice Access too, which the caller checks). */
export const mayReadWorkflow = (group: Pick<MessageGroupState, 'members'>, memberId: string) =>
  group.members.some((member) => member.memberId === memberId);

/** The group's Admins change its workflow (holders of Practice Access too, which the caller checks). */
export const mayChangeWorkflow = (group: Pick<MessageGroupState, 'members'>, memberId: string) =>
  group.members.some((member) => member.memberId === memberId && member.privilege === 'admin');

function duration(value: number | null, code: string, label: string): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DURATION_SECONDS) {
    throw invalid(
      code,
      `${label} is whole seconds from 1 to ${MAX_DURATION_SECONDS} (one year), or null`,
    );
  }
  return value;
}

/** The text as patients receive it: trimmed, 1–1000 characters (code points), no control characters. */
function acknowledgementText(raw: string): string {
  const text = raw.trim();
  if (!text) throw invalid('acknowledgement-text-required', 'an acknowledgement needs a text');
  if (CONTROL.test(text)) {
    throw invalid(
      'acknowledgement-text-invalid-characters',
      'an acknowledgement text holds no control characters (line breaks and tabs included)',
    );
  }
  if ([...text].length > MAX_ACKNOWLEDGEMENT_LENGTH) {
    throw invalid(
      'acknowledgement-text-too-long',
      `an acknowledgement text has at most ${MAX_ACKNOWLEDGEMENT_LENGTH} characters`,
    );
  }
  return text;
}

/**
 * A capacity is a whole number of threads from 1 to 1000, or null (no
 * limit); it only limits automatic assignment, so with 'off' it is refused
 * rather than stored to mean nothing.
 */
function assignment(draft: GroupAssignment): GroupAssignment {
  const { mode, capacity } = draft;
  if (
    capacity !== null &&
    (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_ASSIGNMENT_CAPACITY)
  ) {
    throw invalid(
      'capacity-out-of-range',
      `an assignment capacity is a whole number of threads from 1 to ${MAX_ASSIGNMENT_CAPACITY}, or null (no limit)`,
    );
  }
  if (mode === 'off' && capacity !== null) {
    throw invalid(
      'capacity-needs-automatic-assignment',
      "a capacity limits automatic assignment: with mode 'off' it is null",
    );
  }
  return { mode, capacity };
}

/**
 * Checks a group's workflow settings against every rule and answers them as
 * stored (trimmed text, business hours in canonical order).
 */
export function checkGroupWorkflow(draft: GroupWorkflow): GroupWorkflow {
  const responseTargetSeconds = duration(
    draft.responseTargetSeconds,
    'response-target-out-of-range',
    'responseTargetSeconds',
  );
  const returnToQueueSeconds = duration(
    draft.returnToQueueSeconds,
    'return-to-queue-out-of-range',
    'returnToQueueSeconds',
  );
  const businessHours = draft.businessHours && checkBusinessHours(draft.businessHours);
  let acknowledgement: GroupWorkflow['acknowledgement'] = null;
  if (draft.acknowledgement) {
    const { when } = draft.acknowledgement;
    if (when === 'outside-business-hours' && !businessHours) {
      throw invalid(
        'acknowledgement-needs-business-hours',
        'an acknowledgement sent outside business hours needs business hours (a group without them is always open)',
      );
    }
    acknowledgement = { when, text: acknowledgementText(draft.acknowledgement.text) };
  }
  return {
    responseTargetSeconds,
    businessHours,
    acknowledgement,
    returnToQueueSeconds,
    assignment: assignment(draft.assignment),
  };
}

/** Exactly a workflow's fields, in a fixed order (a stored or viewed object may hold more). */
export const workflowOf = (w: GroupWorkflow): GroupWorkflow => ({
  responseTargetSeconds: w.responseTargetSeconds,
  businessHours: w.businessHours && {
    timeZone: w.businessHours.timeZone,
    weekly: w.businessHours.weekly.map(({ day, opens, closes }) => ({ day, opens, closes })),
    closedDates: [...w.businessHours.closedDates],
  },
  acknowledgement: w.acknowledgement && {
    when: w.acknowledgement.when,
    text: w.acknowledgement.text,
  },
  returnToQueueSeconds: w.returnToQueueSeconds,
  assignment: { mode: w.assignment.mode, capacity: w.assignment.capacity },
});

/** Two checked workflows that would be stored and published alike. */
export function sameWorkflow(a: GroupWorkflow, b: GroupWorkflow): boolean {
  return JSON.stringify(workflowOf(a)) === JSON.stringify(workflowOf(b));
}
