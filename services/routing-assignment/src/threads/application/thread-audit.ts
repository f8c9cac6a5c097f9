import { accessRecordedEvent, NO_ORIGIN, type ThreadAccess } from '@gm/access-recording';
import type { PendingEvent } from '@gm/messaging';
import type { ThreadChange, ThreadState } from '../domain/thread-state.js';
import { SOURCE, type Cause } from './thread-events.js';

/** The system's name in the trail when the service acts on an event or a deadline. */
export const SYSTEM_ACTOR = 'routing-assignment';

const SYSTEM = { kind: 'system', id: SYSTEM_ACTOR } as const;
const memberOrSystem = (memberId: string | null) =>
  memberId ? ({ kind: 'member', id: memberId } as const) : SYSTEM;

/**
 * Who did what, for the access audit (ADR 0013): every assignment, reply,
 * note and status change. Routing is not an access (nobody acted on the thread yet).
 */
function accessOf(change: ThreadChange): Pick<ThreadAccess, 'actor' | 'action'> | null {
  switch (change.kind) {
    case 'routed':
      return null;
    case 'assigned':
      return { actor: memberOrSystem(change.byMemberId), action: 'thread.assigned' };
    case 'unassigned':
      return { actor: SYSTEM, action: 'thread.unassigned' };
    case 'replied':
      return { actor: { kind: 'member', id: change.byMemberId }, action: 'thread.replied' };
    case 'trashed':
      return { actor: { kind: 'member', id: change.byMemberId }, action: 'thread.trashed' };
    case 'restored':
      return { actor: memberOrSystem(change.byMemberId), action: 'thread.restored' };
    case 'overdue':
      return { actor: SYSTEM, action: 'thread.overdue' };
    case 'acknowledged':
      return { actor: SYSTEM, action: 'thread.acknowledged' };
    case 'note-added':
      return { actor: { kind: 'member', id: change.byMemberId }, action: 'thread.note-added' };
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
