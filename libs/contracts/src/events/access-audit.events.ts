import { defineEvent } from '../event-definition.js';
import {
  id,
  idList,
  MAX_ID_LENGTH,
  nullableId,
  object,
  oneOf,
  timestamp,
} from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * What was done to a thread. Known values:
 * - `thread.message-sent`: the patient sent a message (a new thread or a follow-up);
 * - `thread.read`: a member or the patient opened the thread (its messages and replies);
 * - `thread.read-as-cover`: a member opened a direct message to a colleague who is out of office, as their named cover;
 * - `thread.timeline.read`: a member read the thread's progress timeline;
 * - `thread.presence.read`: a member began watching who else is viewing the thread or writing a reply;
 * - `thread.assigned`, `thread.unassigned`: the assignee changed (unassigned by the system);
 * - `thread.replied`: a member replied to the patient;
 * - `thread.note-added`: a member added an internal note (staff-only) to the thread;
 * - `thread.trashed`, `thread.restored`: the thread went to Trash and back (restored by the system on a patient's new message);
 * - `thread.overdue`: the thread passed its group's response target (the system);
 * - `thread.acknowledged`: the group's automatic acknowledgement went to the patient (the system);
 * - `threads.listed`, `threads.searched`: a member listed a group's threads or their direct
 *   messages, without or with a search text (v2: `listing`, and the ids shown in `threadIds`);
 * - `mailbox.listed`, `mailbox.searched`: a patient listed their mailbox, without or with a search text.
 * The schema accepts any `area.verb` value so that a new action is not a
 * breaking change: consumers keep records whose action they do not know.
 */
export type AccessAuditAction =
  | 'thread.message-sent'
  | 'thread.read'
  | 'thread.read-as-cover'
  | 'thread.timeline.read'
  | 'thread.presence.read'
  | 'thread.assigned'
  | 'thread.unassigned'
  | 'thread.replied'
  | 'thread.note-added'
  | 'thread.trashed'
  | 'thread.restored'
  | 'thread.overdue'
  | 'thread.acknowledged'
  | AccessListingAction;

/** A listing shows subjects, so it is recorded too (v2). */
export type AccessListingAction =
  'threads.listed' | 'threads.searched' | 'mailbox.listed' | 'mailbox.searched';

export const ACCESS_AUDIT_ACTIONS: readonly AccessAuditAction[] = [
  'thread.message-sent',
  'thread.read',
  'thread.read-as-cover',
  'thread.timeline.read',
  'thread.presence.read',
  'thread.assigned',
  'thread.unassigned',
  'thread.replied',
  'thread.note-added',
  'thread.trashed',
  'thread.restored',
  'thread.overdue',
  'thread.acknowledged',
  'threads.listed',
  'threads.searched',
  'mailbox.listed',
  'mailbox.searched',
];

export type AccessAuditActorKind = 'member' | 'patient' | 'system';

/** Longest user agent kept: enough to tell browsers and apps apart, bounded for the store. */
export const MAX_USER_AGENT_LENGTH = 512;

export interface AccessRecordedV1 {
  /** Equals the event's `ce_id`: a record re-published by the outbox is the same record. */
  recordId: string;
  practiceId: string;
  /** Who: a member, the patient, or the system (a service acting on an event). */
  actor: { kind: AccessAuditActorKind; id: string };
  action: AccessAuditAction;
  threadId: string;
  occurredAt: string;
  /** Where from: the client address as the service saw it, and its User-Agent; null when not over HTTP. */
  source: { ip: string | null; userAgent: string | null };
  correlationId: string;
}

const actionSchema = { type: 'string', pattern: '^[a-z][a-z-]*(\\.[a-z][a-z-]*)+$', maxLength: 64 };
const sourceSchema = object({
  ip: { type: ['string', 'null'], maxLength: 64 },
  userAgent: { type: ['string', 'null'], maxLength: MAX_USER_AGENT_LENGTH },
});

export const AccessRecordedV1 = defineEvent<AccessRecordedV1>({
  name: 'AccessRecorded',
  type: 'gm.audit.access-recorded.v1',
  version: 1,
  topic: TOPICS.accessAudit,
  keyField: 'practiceId',
  description:
    "A thread's content was read, or the thread was assigned, replied to or changed status: who, what, when and from where. Ids only: never a subject, a body or a name.",
  schema: object({
    recordId: id,
    practiceId: id,
    actor: object({ kind: oneOf('member', 'patient', 'system'), id }),
    action: actionSchema,
    threadId: id,
    occurredAt: timestamp,
    source: sourceSchema,
    correlationId: id,
  }),
});

/**
 * True if a record can name `value` (the contract's id: 1 to 128 code points).
 * A path id that is not one gets its usual answer and is not recorded.
 */
export const isRecordableId = (value: string): boolean =>
  value.length > 0 && [...value].length <= MAX_ID_LENGTH;

/** Most thread ids one listing record carries (a page is at most 100). */
export const MAX_LISTED_THREADS = 200;

export type AccessOutcome = 'served' | 'refused';

export type AccessListingView = 'group-threads' | 'direct-threads' | 'mailbox';

/** What was listed. Never the search text itself: it may be PHI (a patient's name). */
export interface AccessListingV2 {
  view: AccessListingView;
  /** The group listed (`group-threads`); null otherwise. */
  groupId: string | null;
  /** The member filter (`all`, `not-replied`…) or the mailbox box (`inbox`, `unread`, `sent`). */
  filter: string | null;
  /** A search text was given. */
  searched: boolean;
}

/**
 * AccessRecorded with listings and refusals. A thread's access has
 * `threadId` and `threadIds: [threadId]`; a listing has `threadId: null`,
 * `listing`, and the ids of the threads it showed, in order. A refused
 * access (`outcome: 'refused'`) carries the problem code it was answered
 * with. Otherwise as v1.
 */
export interface AccessRecordedV2 extends Omit<AccessRecordedV1, 'threadId'> {
  threadId: string | null;
  threadIds: string[];
  outcome: AccessOutcome;
  refusal: string | null;
  listing: AccessListingV2 | null;
}

export const AccessRecordedV2 = defineEvent<AccessRecordedV2>({
  name: 'AccessRecorded',
  type: 'gm.audit.access-recorded.v2',
  version: 2,
  topic: TOPICS.accessAudit,
  keyField: 'practiceId',
  description:
    "A thread's content was read or refused, the thread was assigned, replied to or changed status, or a list of threads was shown (with the ids shown): who, what, when, from where and with what outcome. Ids only: never a subject, a body, a name or a search text.",
  schema: object({
    recordId: id,
    practiceId: id,
    actor: object({ kind: oneOf('member', 'patient', 'system'), id }),
    action: actionSchema,
    threadId: nullableId,
    threadIds: { ...idList, maxItems: MAX_LISTED_THREADS },
    occurredAt: timestamp,
    source: sourceSchema,
    correlationId: id,
    outcome: oneOf('served', 'refused'),
    refusal: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9-]*$', maxLength: 64 },
    listing: {
      type: ['object', 'null'],
      properties: {
        view: oneOf('group-threads', 'direct-threads', 'mailbox'),
        groupId: nullableId,
        filter: { type: ['string', 'null'], pattern: '^[a-z][a-z-]*$', maxLength: 32 },
        searched: { type: 'boolean' },
      },
      required: ['view', 'groupId', 'filter', 'searched'],
    },
  }),
});
