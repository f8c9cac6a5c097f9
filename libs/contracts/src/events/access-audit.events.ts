import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import {
  described,
  extend,
  id,
  idList,
  MAX_ID_LENGTH,
  nullable,
  nullableId,
  object,
  oneOf,
  openEnum,
  timestamp,
  type KnownValue,
} from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/** A listing shows subjects, so it is recorded too (v2). */
const LISTING_ACTIONS = [
  'threads.listed',
  'threads.searched',
  'mailbox.listed',
  'mailbox.searched',
  'progress.read',
] as const;

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
 * - `mailbox.listed`, `mailbox.searched`: a patient listed their mailbox, without or with a search text;
 * - `progress.read`: a member read a progress report (v2 listing view `group-progress` or
 *   `practice-progress`; figures only, no thread ids).
 * An open enum (any `area.verb` code) so that a new action is not a
 * breaking change: consumers keep records whose action they do not know.
 */
export const ACCESS_AUDIT_ACTIONS = [
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
  ...LISTING_ACTIONS,
] as const;

/** Longest user agent kept: enough to tell browsers and apps apart, bounded for the store. */
export const MAX_USER_AGENT_LENGTH = 512;

const action = described(
  extend(openEnum(...ACCESS_AUDIT_ACTIONS), { pattern: '^[a-z][a-z-]*(\\.[a-z][a-z-]*)+$' }),
  'What was done: an `area.verb` code.',
);

/**
 * Closed: it says whose id `actor.id` is (a member's, a patient's or a
 * service's); a reader that does not know the kind cannot tell who acted.
 */
const actor = object({ kind: oneOf('member', 'patient', 'system'), id }, [], {
  description: 'Who: a member, the patient, or the system (a service acting on an event).',
});

const source = object(
  {
    ip: nullable(Type.String({ maxLength: 64 })),
    userAgent: described(
      nullable(Type.String()),
      `Kept to its first ${MAX_USER_AGENT_LENGTH} characters by the recording services (a product limit, not a wire rule).`,
    ),
  },
  [],
  {
    description:
      'Where from: the client address as the service saw it, and its User-Agent; null when not over HTTP.',
  },
);

const recordId = described(
  id,
  "Equals the event's `ce_id`: a record re-published by the outbox is the same record.",
);

export const AccessRecordedV1 = defineEvent({
  name: 'AccessRecorded',
  type: 'gm.audit.access-recorded.v1',
  version: 1,
  topic: TOPICS.accessAudit,
  keyField: 'practiceId',
  description:
    "A thread's content was read, or the thread was assigned, replied to or changed status: who, what, when and from where. Ids only: never a subject, a body or a name.",
  schema: object({
    recordId,
    practiceId: id,
    actor,
    action,
    threadId: id,
    occurredAt: timestamp,
    source,
    correlationId: id,
  }),
});
export type AccessRecordedV1 = EventData<typeof AccessRecordedV1>;
export type AccessAuditAction = AccessRecordedV1['action'];
export type AccessListingAction = (typeof LISTING_ACTIONS)[number];
export type AccessAuditActorKind = AccessRecordedV1['actor']['kind'];
/** The actions known to this version of the contracts (what our producers write). */
export type KnownAccessAuditAction = KnownValue<AccessAuditAction>;

/**
 * True if a record can name `value` (the contract's id: 1 to 128 code points).
 * A path id that is not one gets its usual answer and is not recorded.
 */
export const isRecordableId = (value: string): boolean =>
  value.length > 0 && [...value].length <= MAX_ID_LENGTH;

/** Most thread ids one listing record carries (a page is at most 100): a product limit, not a wire rule. */
export const MAX_LISTED_THREADS = 200;

/** Closed: whether the content was disclosed; a reader must never guess it. */
const outcome = oneOf('served', 'refused');

const listing = object(
  {
    view: described(
      openEnum('group-threads', 'direct-threads', 'mailbox', 'group-progress', 'practice-progress'),
      'The view listed.',
    ),
    groupId: described(
      nullableId,
      'The group listed (`group-threads`, `group-progress`); null otherwise.',
    ),
    filter: described(
      nullable(Type.String({ pattern: '^[a-z][a-z-]*$', maxLength: 32 })),
      'The member filter (`all`, `not-replied`…) or the mailbox box (`inbox`, `unread`, `sent`): an open set of codes.',
    ),
    searched: Type.Boolean({ description: 'A search text was given.' }),
  },
  [],
  {
    description: "What was listed. Never the search text itself: it may be PHI (a patient's name).",
  },
);

export const AccessRecordedV2 = defineEvent({
  name: 'AccessRecorded',
  type: 'gm.audit.access-recorded.v2',
  version: 2,
  topic: TOPICS.accessAudit,
  keyField: 'practiceId',
  description:
    "A thread's content was read or refused, the thread was assigned, replied to or changed status, or a list of threads was shown (with the ids shown): who, what, when, from where and with what outcome. Ids only: never a subject, a body, a name or a search text.",
  schema: object(
    {
      recordId,
      practiceId: id,
      actor,
      action,
      threadId: described(nullableId, 'The thread accessed; null for a listing.'),
      threadIds: described(
        idList,
        'Every thread the record concerns: `[threadId]`, or the ids a listing showed, in order.',
      ),
      occurredAt: timestamp,
      source,
      correlationId: id,
      outcome,
      refusal: described(
        nullable(
          extend(openEnum('thread-not-found', 'not-group-admin'), {
            pattern: '^[a-z][a-z0-9-]*$',
          }),
        ),
        'The problem code a refused access was answered with; null when served.',
      ),
      listing: described(nullable(listing), 'What was listed; null for an access to a thread.'),
    },
    [],
    {
      description:
        "AccessRecorded with listings and refusals. A thread's access has `threadId` and `threadIds: [threadId]`; a listing has `threadId: null`, `listing`, and the ids of the threads it showed, in order. A refused access (`outcome: 'refused'`) carries the problem code it was answered with. Otherwise as v1.",
    },
  ),
});
export type AccessRecordedV2 = EventData<typeof AccessRecordedV2>;
export type AccessOutcome = AccessRecordedV2['outcome'];
/** What was listed. Never the search text itself: it may be PHI (a patient's name). */
export type AccessListingV2 = NonNullable<AccessRecordedV2['listing']>;
export type AccessListingView = AccessListingV2['view'];
