import {
  AccessRecordedV1,
  buildEnvelope,
  type AccessAuditAction,
  type AccessAuditActorKind,
} from '@gm/contracts';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import type { RequestOrigin } from './request-origin.js';

/** One access to a thread, as the serving service saw it. */
export interface ThreadAccess {
  practiceId: string;
  actor: { kind: AccessAuditActorKind; id: string };
  action: AccessAuditAction;
  threadId: string;
  origin: RequestOrigin;
  correlationId: string;
  causationId?: string;
  /** Defaults to now. */
  occurredAt?: string;
}

/**
 * The AccessRecorded event of one access, ready for an outbox. Its record id
 * is the event id, so a record the relay publishes twice is one record.
 */
export function accessRecordedEvent(source: string, access: ThreadAccess): PendingEvent {
  const metadata = newEventMetadata({
    source,
    practiceId: access.practiceId,
    correlationId: access.correlationId,
    ...(access.causationId ? { causationId: access.causationId } : {}),
  });
  const occurredAt = access.occurredAt ?? metadata.time;
  const data: AccessRecordedV1 = {
    recordId: metadata.id,
    practiceId: access.practiceId,
    actor: { kind: access.actor.kind, id: access.actor.id },
    action: access.action,
    threadId: access.threadId,
    occurredAt,
    source: { ip: access.origin.ip, userAgent: access.origin.userAgent },
    correlationId: access.correlationId,
  };
  const envelope = buildEnvelope(AccessRecordedV1, data, { ...metadata, time: occurredAt });
  return { definition: AccessRecordedV1, envelope } as PendingEvent;
}
