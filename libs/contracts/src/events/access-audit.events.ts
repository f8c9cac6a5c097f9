import { defineEvent } from '../event-definition.js';
import { id, object, oneOf, timestamp } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * What was done to a thread. Known values:
 * - `thread.message-sent`: the patient sent a message (a new thread or a follow-up);
 * - `thread.read`: a member or the patient opened the thread (its messages and replies);
 * - `thread.read-as-cover`: a member opened a direct message to a colleague who is out of office, as their named cover;
 * - `thread.timeline.read`: a member read the thread's progress timeline;
 * - `thread.assigned`, `thread.unassigned`: the assignee changed (unassigned by the system);
 * - `thread.replied`: a member replied to the patient;
 * - `thread.trashed`, `thread.restored`: the thread went to Trash and back (restored by the system on a patient's new message);
 * - `thread.overdue`: the thread passed its group's response target (the system);
 * - `thread.acknowledged`: the group's automatic acknowledgement went to the patient (the system).
 * The schema accepts any `area.verb` value so that a new action is not a
 * breaking change: consumers keep records whose action they do not know.
 */
export type AccessAuditAction =
  | 'thread.message-sent'
  | 'thread.read'
  | 'thread.read-as-cover'
  | 'thread.timeline.read'
  | 'thread.assigned'
  | 'thread.unassigned'
  | 'thread.replied'
  | 'thread.trashed'
  | 'thread.restored'
  | 'thread.overdue'
  | 'thread.acknowledged';

export const ACCESS_AUDIT_ACTIONS: readonly AccessAuditAction[] = [
  'thread.message-sent',
  'thread.read',
  'thread.read-as-cover',
  'thread.timeline.read',
  'thread.assigned',
  'thread.unassigned',
  'thread.replied',
  'thread.trashed',
  'thread.restored',
  'thread.overdue',
  'thread.acknowledged',
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
    action: { type: 'string', pattern: '^[a-z][a-z-]*(\\.[a-z][a-z-]*)+$', maxLength: 64 },
    threadId: id,
    occurredAt: timestamp,
    source: object({
      ip: { type: ['string', 'null'], maxLength: 64 },
      userAgent: { type: ['string', 'null'], maxLength: MAX_USER_AGENT_LENGTH },
    }),
    correlationId: id,
  }),
});
