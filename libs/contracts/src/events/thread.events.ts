import { defineEvent } from '../event-definition.js';
import type { JsonSchema } from '../event-definition.js';
import { id, nullableId, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * The practice side of a thread. Every event carries the thread version after
 * it, so projectors apply them in order whatever order they arrive in.
 */
interface ThreadFact {
  practiceId: string;
  threadId: string;
  /** null for a direct message to a member. */
  groupId: string | null;
  threadVersion: number;
  occurredAt: string;
}

const threadFact: Record<string, JsonSchema> = {
  practiceId: id,
  threadId: id,
  groupId: nullableId,
  threadVersion: version,
  occurredAt: timestamp,
};

export type RoutingKind = 'specific-members' | 'care-team' | 'direct';

export interface MessageRoutedV1 extends ThreadFact {
  patientId: string;
  routing: RoutingKind;
  /** Addressee of a direct message; null for group threads. */
  memberId: string | null;
}

export const MessageRoutedV1 = defineEvent<MessageRoutedV1>({
  name: 'MessageRouted',
  type: 'gm.message.routed.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "A patient's thread was routed: to a Specific Members group (its Admins, unassigned), to the patient's in-house care team plus the group's Admins, or to one member.",
  schema: object({
    ...threadFact,
    patientId: id,
    routing: oneOf('specific-members', 'care-team', 'direct'),
    memberId: nullableId,
  }),
});

export interface MessageAssignedV1 extends ThreadFact {
  assigneeMemberId: string;
  previousAssigneeMemberId: string | null;
  assignedByMemberId: string;
}

export const MessageAssignedV1 = defineEvent<MessageAssignedV1>({
  name: 'MessageAssigned',
  type: 'gm.message.assigned.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'An Admin assigned or reassigned a thread; carries the previous assignee.',
  schema: object({
    ...threadFact,
    assigneeMemberId: id,
    previousAssigneeMemberId: nullableId,
    assignedByMemberId: id,
  }),
});

/** How an assignment was made: by an Admin, by the group's automatic assignment, or to an away assignee's cover. */
export type AssignmentHow = 'manual' | 'automatic' | 'cover';

export interface MessageAssignedV2 extends ThreadFact {
  assigneeMemberId: string;
  previousAssigneeMemberId: string | null;
  /** The Admin who assigned; null when the system did (automatic, cover). */
  assignedByMemberId: string | null;
  how: AssignmentHow;
}

export const MessageAssignedV2 = defineEvent<MessageAssignedV2>({
  name: 'MessageAssigned',
  type: 'gm.message.assigned.v2',
  version: 2,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "A thread was assigned or reassigned: by an Admin (manual), by the group's automatic assignment, or to the cover of an assignee who is out of office; carries the previous assignee.",
  schema: object({
    ...threadFact,
    assigneeMemberId: id,
    previousAssigneeMemberId: nullableId,
    assignedByMemberId: nullableId,
    how: oneOf('manual', 'automatic', 'cover'),
  }),
});

export type UnassignReason =
  'member-removed-from-group' | 'member-deactivated' | 'care-team-changed';

export interface MessageUnassignedV1 extends ThreadFact {
  previousAssigneeMemberId: string;
  reason: UnassignReason;
}

export const MessageUnassignedV1 = defineEvent<MessageUnassignedV1>({
  name: 'MessageUnassigned',
  type: 'gm.message.unassigned.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'A thread lost its assignee because the assignee may no longer see it.',
  schema: object({
    ...threadFact,
    previousAssigneeMemberId: id,
    reason: oneOf('member-removed-from-group', 'member-deactivated', 'care-team-changed'),
  }),
});

export type UnassignReasonV2 = UnassignReason | 'assignee-silent' | 'assignee-out-of-office';

export interface MessageUnassignedV2 extends ThreadFact {
  previousAssigneeMemberId: string;
  reason: UnassignReasonV2;
}

export const MessageUnassignedV2 = defineEvent<MessageUnassignedV2>({
  name: 'MessageUnassigned',
  type: 'gm.message.unassigned.v2',
  version: 2,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "A thread went back to its group's queue: the assignee may no longer see it, did not reply in time (assignee-silent), or is out of office with no cover.",
  schema: object({
    ...threadFact,
    previousAssigneeMemberId: id,
    reason: oneOf(
      'member-removed-from-group',
      'member-deactivated',
      'care-team-changed',
      'assignee-silent',
      'assignee-out-of-office',
    ),
  }),
});

/**
 * The longest reply body, in Unicode code points (JSON Schema counts them so):
 * a wire fact of ReplySent, which services that hold reply text (group-config's
 * quick replies) share rather than restate.
 */
export const MAX_REPLY_BODY_LENGTH = 20000;

export interface ReplySentV1 extends ThreadFact {
  replyId: string;
  /** What the patient sees as the sender: the group's name (or the practice for direct messages). */
  senderDisplayName: string;
  /** Internal audit trail only: never shown to a patient. */
  repliedByMemberId: string;
  /** PHI. */
  body: string;
}

export const ReplySentV1 = defineEvent<ReplySentV1>({
  name: 'ReplySent',
  type: 'gm.reply.sent.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    'A member replied to the patient. Patient-facing views show senderDisplayName (the group name) only; repliedByMemberId is for the internal trail. Contains PHI.',
  schema: object({
    ...threadFact,
    replyId: id,
    senderDisplayName: { type: 'string', minLength: 1, maxLength: 200 },
    repliedByMemberId: id,
    body: { type: 'string', minLength: 1, maxLength: MAX_REPLY_BODY_LENGTH },
  }),
});

export interface MessageTrashedV1 extends ThreadFact {
  byMemberId: string;
}

export const MessageTrashedV1 = defineEvent<MessageTrashedV1>({
  name: 'MessageTrashed',
  type: 'gm.message.trashed.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'A thread was moved to Trash.',
  schema: object({ ...threadFact, byMemberId: id }),
});

export interface MessageRestoredV1 extends ThreadFact {
  byMemberId: string;
}

export const MessageRestoredV1 = defineEvent<MessageRestoredV1>({
  name: 'MessageRestored',
  type: 'gm.message.restored.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'A thread was restored from Trash.',
  schema: object({ ...threadFact, byMemberId: id }),
});

export type RestoreReason = 'member-restored' | 'patient-follow-up';

export interface MessageRestoredV2 extends ThreadFact {
  /** The member who restored it; null when the patient's new message did. */
  byMemberId: string | null;
  reason: RestoreReason;
  /** The patient's message that took it out of Trash; null for a member's restore. */
  messageId: string | null;
}

export const MessageRestoredV2 = defineEvent<MessageRestoredV2>({
  name: 'MessageRestored',
  type: 'gm.message.restored.v2',
  version: 2,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    'A thread left Trash: restored by a member, or by a new message of the patient (no patient message waits hidden in Trash).',
  schema: object({
    ...threadFact,
    byMemberId: nullableId,
    reason: oneOf('member-restored', 'patient-follow-up'),
    messageId: nullableId,
  }),
});

export interface MessageResponseOverdueV1 extends ThreadFact {
  /** When the patient's oldest unanswered message was sent: the target counts from there. */
  awaitingSince: string;
  /** The instant the target fell due (business time of the group when it was set). */
  respondBy: string;
  targetSeconds: number;
}

export const MessageResponseOverdueV1 = defineEvent<MessageResponseOverdueV1>({
  name: 'MessageResponseOverdue',
  type: 'gm.message.response-overdue.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "A thread passed its group's first-response target without a reply; a reply or a trash clears it, a later patient message starts a new target.",
  schema: object({
    ...threadFact,
    awaitingSince: timestamp,
    respondBy: timestamp,
    targetSeconds: { type: 'integer', minimum: 1 },
  }),
});

export interface AcknowledgementSentV1 extends ThreadFact {
  acknowledgementId: string;
  /** The patient message it acknowledges. */
  messageId: string;
  /** The group's name: what the patient sees as the sender. */
  senderDisplayName: string;
  /** The group's acknowledgement text (the practice's words; kept out of logs like any message). */
  body: string;
  when: 'always' | 'outside-business-hours';
}

export const AcknowledgementSentV1 = defineEvent<AcknowledgementSentV1>({
  name: 'AcknowledgementSent',
  type: 'gm.reply.acknowledgement-sent.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "The group's automatic acknowledgement of a patient message, sent under the group's name and marked automatic; it is not a reply (the thread stays Not Replied, the target keeps running).",
  schema: object({
    ...threadFact,
    acknowledgementId: id,
    messageId: id,
    senderDisplayName: { type: 'string', minLength: 1, maxLength: 200 },
    body: { type: 'string', minLength: 1, maxLength: 1000 },
    when: oneOf('always', 'outside-business-hours'),
  }),
});

/** Why a member is in a thread's audience (ADR 0016). */
export type AudienceReason = 'admin' | 'assignee' | 'care-team' | 'addressee';
/** v2 adds the cover of an addressee who is out of office (ADR 0021). */
export type AudienceReasonV2 = AudienceReason | 'cover';

export interface ThreadAudienceMemberV1 {
  memberId: string;
  reason: AudienceReason;
}

/**
 * Who may see the thread now, as routing-assignment decides it: the one
 * authority on a thread's audience (ADR 0016). Published whenever the
 * audience changes, on a change of the thread or of the directory and
 * settings it is decided from. Carries the whole audience, so the latest
 * version replaces every earlier one.
 */
export interface ThreadAudienceChangedV1 {
  practiceId: string;
  threadId: string;
  /** null for a direct message to a member. */
  groupId: string | null;
  patientId: string;
  /** +1 with every audience published for the thread; the higher wins. */
  audienceVersion: number;
  /** Everyone who may see the thread, ordered by member id; empty when no one may. */
  members: ThreadAudienceMemberV1[];
  occurredAt: string;
}

export const ThreadAudienceChangedV1 = defineEvent<ThreadAudienceChangedV1>({
  name: 'ThreadAudienceChanged',
  type: 'gm.thread.audience-changed.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "Who may see a thread now (its group's active Admins, its valid assignee, the patient's care team on care-team threads, the addressee of a direct message), with why; the whole audience, versioned per thread.",
  schema: object({
    practiceId: id,
    threadId: id,
    groupId: nullableId,
    patientId: id,
    audienceVersion: version,
    members: {
      type: 'array',
      items: object({ memberId: id, reason: oneOf('admin', 'assignee', 'care-team', 'addressee') }),
    },
    occurredAt: timestamp,
  }),
});

export interface ThreadAudienceMemberV2 {
  memberId: string;
  reason: AudienceReasonV2;
}

/**
 * ThreadAudienceChanged with one more reason: `cover`, the member named to
 * cover for the addressee of a direct message while the addressee is out
 * of office, for that period only. Otherwise as v1.
 */
export interface ThreadAudienceChangedV2 extends Omit<ThreadAudienceChangedV1, 'members'> {
  members: ThreadAudienceMemberV2[];
}

export const ThreadAudienceChangedV2 = defineEvent<ThreadAudienceChangedV2>({
  name: 'ThreadAudienceChanged',
  type: 'gm.thread.audience-changed.v2',
  version: 2,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "Who may see a thread now (its group's active Admins, its valid assignee, the patient's care team on care-team threads, the addressee of a direct message, and the addressee's cover while they are out of office), with why; the whole audience, versioned per thread.",
  schema: object({
    practiceId: id,
    threadId: id,
    groupId: nullableId,
    patientId: id,
    audienceVersion: version,
    members: {
      type: 'array',
      items: object({
        memberId: id,
        reason: oneOf('admin', 'assignee', 'care-team', 'addressee', 'cover'),
      }),
    },
    occurredAt: timestamp,
  }),
});
