import {
  AccessRecordedV2,
  buildEnvelope,
  type AccessAuditAction,
  type AccessAuditActorKind,
  type AccessListingAction,
  type AccessListingV2,
} from '@gm/contracts';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import type { RequestOrigin } from './request-origin.js';

/** What every record says: whose access, in which request, from where. */
interface AccessContext {
  practiceId: string;
  actor: { kind: AccessAuditActorKind; id: string };
  origin: RequestOrigin;
  correlationId: string;
  causationId?: string;
  /** Defaults to now. */
  occurredAt?: string;
}

/** One access to a thread, as the serving service saw it. */
export interface ThreadAccess extends AccessContext {
  action: AccessAuditAction;
  threadId: string;
  /** The problem code the access was refused with (`thread-not-found`…); absent when served. */
  refusal?: string;
}

/** One listing served (a page of an inbox or a mailbox, or a search): what was listed and the threads shown. */
export interface ListingAccess extends AccessContext {
  action: AccessListingAction;
  listing: AccessListingV2;
  /** The ids of the threads shown, in order; never their subjects. */
  threadIds: readonly string[];
}

export type Access = ThreadAccess | ListingAccess;

const isListing = (access: Access): access is ListingAccess => 'listing' in access;

/** What the record says of the thread(s): one thread, or the ids a listing showed. */
function threadsOf(
  access: Access,
): Pick<AccessRecordedV2, 'threadId' | 'threadIds' | 'outcome' | 'refusal' | 'listing'> {
  if (isListing(access)) {
    return {
      threadId: null,
      threadIds: [...access.threadIds],
      outcome: 'served',
      refusal: null,
      listing: { ...access.listing },
    };
  }
  return {
    threadId: access.threadId,
    threadIds: [access.threadId],
    outcome: access.refusal === undefined ? 'served' : 'refused',
    refusal: access.refusal ?? null,
    listing: null,
  };
}

/**
 * The AccessRecorded event (v2) of one access, ready for an outbox. Its
 * record id is the event id, so a record the relay publishes twice is one record.
 */
export function accessRecordedEvent(source: string, access: Access): PendingEvent {
  const metadata = newEventMetadata({
    source,
    practiceId: access.practiceId,
    correlationId: access.correlationId,
    ...(access.causationId ? { causationId: access.causationId } : {}),
  });
  const occurredAt = access.occurredAt ?? metadata.time;
  const data: AccessRecordedV2 = {
    recordId: metadata.id,
    practiceId: access.practiceId,
    actor: { kind: access.actor.kind, id: access.actor.id },
    action: access.action,
    occurredAt,
    source: { ip: access.origin.ip, userAgent: access.origin.userAgent },
    correlationId: access.correlationId,
    ...threadsOf(access),
  };
  const envelope = buildEnvelope(AccessRecordedV2, data, { ...metadata, time: occurredAt });
  return { definition: AccessRecordedV2, envelope } as PendingEvent;
}
