import { accessRecordedEvent, NO_ORIGIN, type ThreadAccess } from '@gm/access-recording';
import type { PendingEvent } from '@gm/messaging';
import type { ThreadChange, ThreadState } from '../domain/thread-state.js';
import { SOURCE, type Cause } from './thread-events.js';

/** The system's name in the trail when the service acts on an event (an unassignment). */
export const SYSTEM_ACTOR = 'routing-assignment';

/**
 * Who did what, for the access audit (ADR 0013): every assignment, reply and
 * status change. Routing is not an access (nobody acted on the thread yet).
 */
function accessOf(change: ThreadChange): Pick<ThreadAccess, 'actor' | 'action'> | null {
  switch (change.kind) {
    case 'routed':
      return null;
    case 'assigned':
      return { actor: { kind: 'member', id: change.byMemberId }, action: 'thread.assigned' };
    case 'unassigned':
      return { actor: { kind: 'system', id: SYSTEM_ACTOR }, action: 'thread.unassigned' };
    case 'replied':
      return { actor: { kind: 'member', id: change.byMemberId }, action: 'thread.replied' };
    case 'trashed':
      return { actor: { kind: 'member', id: change.byMemberId }, action: 'thread.trashed' };
    case 'restored':
      // The patient's new message restores it on their behalf: the system acted.
      return {
        actor: change.byMemberId
          ? { kind: 'member', id: change.byMemberId }
          : { kind: 'system', id: SYSTEM_ACTOR },
        action: 'thread.restored',
      };
  }
}

/** The AccessRecorded event a change adds to the thread's outbox, if it is an audited one. */
export function auditEventOf(
  thread: ThreadState,
  change: ThreadChange,
  cause: Cause,
): PendingEvent[] {
  const access = accessOf(change);
  if (!access) return [];
  return [
    accessRecordedEvent(SOURCE, {
      practiceId: thread.practiceId,
      threadId: thread.threadId,
      ...access,
      origin: cause.origin ?? NO_ORIGIN,
      correlationId: cause.correlationId,
      ...(cause.causationId ? { causationId: cause.causationId } : {}),
      occurredAt: thread.timeline.at(-1)?.at,
    }),
  ];
}
