import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import {
  described,
  id,
  nullableId,
  object,
  oneOf,
  openEnum,
  timestamp,
  version,
} from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * The practice side of a thread. Every event carries the thread version after
 * it, so projectors apply them in order whatever order they arrive in.
 */
const threadFact = {
  practiceId: id,
  threadId: id,
  groupId: described(nullableId, 'null for a direct message to a member.'),
  threadVersion: described(
    version,
    'The thread version after this event: projectors apply events in this order.',
  ),
  occurredAt: timestamp,
};

/** Closed: it decides where the thread is listed and under whose name it is answered. */
const routing = oneOf('specific-members', 'care-team', 'direct');

export const MessageRoutedV1 = defineEvent({
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
    routing,
    memberId: described(nullableId, 'Addressee of a direct message; null for group threads.'),
  }),
});
export type MessageRoutedV1 = EventData<typeof MessageRoutedV1>;
export type RoutingKind = MessageRoutedV1['routing'];

export const MessageAssignedV1 = defineEvent({
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
export type MessageAssignedV1 = EventData<typeof MessageAssignedV1>;

export const MessageAssignedV2 = defineEvent({
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
    assignedByMemberId: described(
      nullableId,
      'The Admin who assigned; null when the system did (automatic, cover).',
    ),
    how: described(
      openEnum('manual', 'automatic', 'cover'),
      "How the assignment was made: by an Admin, by the group's automatic assignment, or to an away assignee's cover.",
    ),
  }),
});
export type MessageAssignedV2 = EventData<typeof MessageAssignedV2>;
/** How an assignment was made: by an Admin, by the group's automatic assignment, or to an away assignee's cover. */
export type AssignmentHow = MessageAssignedV2['how'];

const unassignReasonText = 'Why the thread lost its assignee.';

export const MessageUnassignedV1 = defineEvent({
  name: 'MessageUnassigned',
  type: 'gm.message.unassigned.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'A thread lost its assignee because the assignee may no longer see it.',
  schema: object({
    ...threadFact,
    previousAssigneeMemberId: id,
    reason: described(
      openEnum('member-removed-from-group', 'member-deactivated', 'care-team-changed'),
      unassignReasonText,
    ),
  }),
});
export type MessageUnassignedV1 = EventData<typeof MessageUnassignedV1>;
export type UnassignReason = MessageUnassignedV1['reason'];

export const MessageUnassignedV2 = defineEvent({
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
    reason: described(
      openEnum(
        'member-removed-from-group',
        'member-deactivated',
        'care-team-changed',
        'assignee-silent',
        'assignee-out-of-office',
      ),
      unassignReasonText,
    ),
  }),
});
export type MessageUnassignedV2 = EventData<typeof MessageUnassignedV2>;
export type UnassignReasonV2 = MessageUnassignedV2['reason'];

/**
 * The longest reply body, in Unicode code points: a product limit that
 * services holding reply text share (routing-assignment's replies,
 * group-config's quick replies). Not a wire rule: ReplySent's schema does
 * not hold it (docs/event-compatibility.md).
 */
export const MAX_REPLY_BODY_LENGTH = 20000;

export const ReplySentV1 = defineEvent({
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
    senderDisplayName: Type.String({
      minLength: 1,
      description:
        "What the patient sees as the sender: the group's name (or the practice's for direct messages).",
    }),
    repliedByMemberId: described(id, 'Internal audit trail only: never shown to a patient.'),
    body: Type.String({ minLength: 1, description: 'PHI: never log it.' }),
  }),
});
export type ReplySentV1 = EventData<typeof ReplySentV1>;

export const MessageTrashedV1 = defineEvent({
  name: 'MessageTrashed',
  type: 'gm.message.trashed.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'A thread was moved to Trash.',
  schema: object({ ...threadFact, byMemberId: id }),
});
export type MessageTrashedV1 = EventData<typeof MessageTrashedV1>;

export const MessageRestoredV1 = defineEvent({
  name: 'MessageRestored',
  type: 'gm.message.restored.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description: 'A thread was restored from Trash.',
  schema: object({ ...threadFact, byMemberId: id }),
});
export type MessageRestoredV1 = EventData<typeof MessageRestoredV1>;

export const MessageRestoredV2 = defineEvent({
  name: 'MessageRestored',
  type: 'gm.message.restored.v2',
  version: 2,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    'A thread left Trash: restored by a member, or by a new message of the patient (no patient message waits hidden in Trash).',
  schema: object({
    ...threadFact,
    byMemberId: described(
      nullableId,
      "The member who restored it; null when the patient's new message did.",
    ),
    reason: described(
      openEnum('member-restored', 'patient-follow-up'),
      'Why the thread left Trash.',
    ),
    messageId: described(
      nullableId,
      "The patient's message that took it out of Trash; null for a member's restore.",
    ),
  }),
});
export type MessageRestoredV2 = EventData<typeof MessageRestoredV2>;
export type RestoreReason = MessageRestoredV2['reason'];

export const MessageResponseOverdueV1 = defineEvent({
  name: 'MessageResponseOverdue',
  type: 'gm.message.response-overdue.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "A thread passed its group's first-response target without a reply; a reply or a trash clears it, a later patient message starts a new target.",
  schema: object({
    ...threadFact,
    awaitingSince: described(
      timestamp,
      "When the patient's oldest unanswered message was sent: the target counts from there.",
    ),
    respondBy: described(
      timestamp,
      'The instant the target fell due (business time of the group when it was set).',
    ),
    targetSeconds: Type.Integer({ minimum: 1 }),
  }),
});
export type MessageResponseOverdueV1 = EventData<typeof MessageResponseOverdueV1>;

export const AcknowledgementSentV1 = defineEvent({
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
    messageId: described(id, 'The patient message it acknowledges.'),
    senderDisplayName: Type.String({
      minLength: 1,
      description: "The group's name: what the patient sees as the sender.",
    }),
    body: Type.String({
      minLength: 1,
      description:
        "The group's acknowledgement text (the practice's words; kept out of logs like any message).",
    }),
    when: described(
      openEnum('always', 'outside-business-hours'),
      "The group's setting the acknowledgement was sent under.",
    ),
  }),
});
export type AcknowledgementSentV1 = EventData<typeof AcknowledgementSentV1>;

/**
 * Open: the member list is the authority on who may see the thread; the
 * reason only says why. A reader treats a reason it does not know as the
 * least it grants: the member sees the thread, nothing more.
 */
const audienceReasonText =
  'Why the member may see the thread (ADR 0016). A reader gives a member with a reason it does not know the least it gives anyone: the thread itself, nothing more.';

const audienceFact = {
  practiceId: id,
  threadId: id,
  groupId: described(nullableId, 'null for a direct message to a member.'),
  patientId: id,
  audienceVersion: described(
    version,
    '+1 with every audience published for the thread; the higher wins.',
  ),
  occurredAt: timestamp,
};

const audienceDescription =
  "Who may see the thread now, as routing-assignment decides it: the one authority on a thread's audience (ADR 0016). Published whenever the audience changes, on a change of the thread or of the directory and settings it is decided from. Carries the whole audience, so the latest version replaces every earlier one.";

export const ThreadAudienceChangedV1 = defineEvent({
  name: 'ThreadAudienceChanged',
  type: 'gm.thread.audience-changed.v1',
  version: 1,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "Who may see a thread now (its group's active Admins, its valid assignee, the patient's care team on care-team threads, the addressee of a direct message), with why; the whole audience, versioned per thread.",
  schema: object(
    {
      ...audienceFact,
      members: Type.Array(
        object({
          memberId: id,
          reason: described(
            openEnum('admin', 'assignee', 'care-team', 'addressee'),
            audienceReasonText,
          ),
        }),
        {
          description:
            'Everyone who may see the thread, ordered by member id; empty when no one may.',
        },
      ),
    },
    [],
    { description: audienceDescription },
  ),
});
export type ThreadAudienceChangedV1 = EventData<typeof ThreadAudienceChangedV1>;
export type ThreadAudienceMemberV1 = ThreadAudienceChangedV1['members'][number];
/** Why a member is in a thread's audience (ADR 0016). */
export type AudienceReason = ThreadAudienceMemberV1['reason'];

export const ThreadAudienceChangedV2 = defineEvent({
  name: 'ThreadAudienceChanged',
  type: 'gm.thread.audience-changed.v2',
  version: 2,
  topic: TOPICS.threads,
  keyField: 'threadId',
  description:
    "Who may see a thread now (its group's active Admins, its valid assignee, the patient's care team on care-team threads, the addressee of a direct message, and the addressee's cover while they are out of office), with why; the whole audience, versioned per thread.",
  schema: object(
    {
      ...audienceFact,
      members: Type.Array(
        object({
          memberId: id,
          reason: described(
            openEnum('admin', 'assignee', 'care-team', 'addressee', 'cover'),
            audienceReasonText,
          ),
        }),
        {
          description:
            'Everyone who may see the thread, ordered by member id; empty when no one may.',
        },
      ),
    },
    [],
    {
      description: `${audienceDescription} v2 adds the reason \`cover\`: the member named to cover for the addressee of a direct message while the addressee is out of office, for that period only. Otherwise as v1.`,
    },
  ),
});
export type ThreadAudienceChangedV2 = EventData<typeof ThreadAudienceChangedV2>;
export type ThreadAudienceMemberV2 = ThreadAudienceChangedV2['members'][number];
/** v2 adds the cover of an addressee who is out of office (ADR 0021). */
export type AudienceReasonV2 = ThreadAudienceMemberV2['reason'];
