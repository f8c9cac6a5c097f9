import {
  AcknowledgementSentV1,
  buildEnvelope,
  MessageAssignedV2,
  MessageResponseOverdueV1,
  MessageRestoredV2,
  MessageRoutedV1,
  MessageTrashedV1,
  MessageUnassignedV2,
  NoteAddedV1,
  ReplySentV1,
  ThreadAudienceChangedV2,
  ThreadFactV1,
  type EventDefinition,
} from '@gm/contracts';
import type { RequestOrigin } from '@gm/access-recording';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import { analyticsFactsOf } from '../domain/analytics-facts.js';
import type { AudienceMember } from '../domain/thread-audience.js';
import type { ThreadChange, ThreadState } from '../domain/thread-state.js';
import type { PatientPseudonyms } from './patient-pseudonyms.port.js';

export const SOURCE = '/services/routing-assignment';

/** Where a change came from: the request's correlation id, and the event that caused it (consumers). */
export interface Cause {
  correlationId: string;
  causationId?: string;
  /** The HTTP request behind a member's command (absent for changes made on an event). */
  origin?: RequestOrigin;
}

function pending<T>(definition: EventDefinition<T>, data: T, thread: ThreadState, cause: Cause) {
  const metadata = newEventMetadata({ source: SOURCE, practiceId: thread.practiceId, ...cause });
  return { definition, envelope: buildEnvelope(definition, data, metadata) } as PendingEvent;
}

/**
 * The event a change of the thread publishes on `gm.threads` (key = thread
 * id), carrying the thread's version after the change; a note goes on the
 * staff-only `gm.thread-notes` (same key), without a version.
 */
export function threadEvent(thread: ThreadState, change: ThreadChange, cause: Cause): PendingEvent {
  const fact = {
    practiceId: thread.practiceId,
    threadId: thread.threadId,
    groupId: thread.groupId,
    threadVersion: thread.version,
    occurredAt: thread.timeline.at(-1)?.at ?? new Date().toISOString(),
  };
  switch (change.kind) {
    case 'routed':
      return pending(
        MessageRoutedV1,
        {
          ...fact,
          patientId: thread.patientId,
          routing: thread.routing!,
          memberId: thread.addresseeMemberId,
        },
        thread,
        cause,
      );
    case 'assigned':
      return pending(
        MessageAssignedV2,
        {
          ...fact,
          assigneeMemberId: change.assigneeMemberId,
          previousAssigneeMemberId: change.previousAssigneeMemberId,
          assignedByMemberId: change.byMemberId,
          how: change.how,
        },
        thread,
        cause,
      );
    case 'unassigned':
      return pending(
        MessageUnassignedV2,
        {
          ...fact,
          previousAssigneeMemberId: change.previousAssigneeMemberId,
          reason: change.reason,
        },
        thread,
        cause,
      );
    case 'replied':
      return pending(
        ReplySentV1,
        {
          ...fact,
          replyId: change.replyId,
          senderDisplayName: change.senderDisplayName,
          repliedByMemberId: change.byMemberId,
          body: change.body,
        },
        thread,
        cause,
      );
    case 'trashed':
      return pending(MessageTrashedV1, { ...fact, byMemberId: change.byMemberId }, thread, cause);
    case 'restored':
      return pending(
        MessageRestoredV2,
        {
          ...fact,
          byMemberId: change.byMemberId,
          reason: change.reason,
          messageId: change.messageId,
        },
        thread,
        cause,
      );
    case 'overdue':
      return pending(
        MessageResponseOverdueV1,
        {
          ...fact,
          awaitingSince: change.awaitingSince,
          respondBy: change.respondBy,
          targetSeconds: change.targetSeconds,
        },
        thread,
        cause,
      );
    case 'acknowledged':
      return pending(
        AcknowledgementSentV1,
        {
          ...fact,
          acknowledgementId: change.acknowledgementId,
          messageId: change.messageId,
          senderDisplayName: change.senderDisplayName,
          body: change.body,
          when: change.when,
        },
        thread,
        cause,
      );
    case 'note-added':
      return pending(
        NoteAddedV1,
        {
          noteId: change.noteId,
          practiceId: thread.practiceId,
          threadId: thread.threadId,
          authorMemberId: change.byMemberId,
          body: change.body,
          addedAt: change.addedAt,
        },
        thread,
        cause,
      );
  }
}

/** The thread's audience as decided now (`version` counts the audiences published for it). */
export function audienceEvent(
  thread: ThreadState,
  audience: { version: number; members: AudienceMember[] },
  cause: Cause,
): PendingEvent {
  return pending(
    ThreadAudienceChangedV2,
    {
      practiceId: thread.practiceId,
      threadId: thread.threadId,
      groupId: thread.groupId,
      patientId: thread.patientId,
      audienceVersion: audience.version,
      members: audience.members,
      occurredAt: new Date().toISOString(),
    },
    thread,
    cause,
  );
}

/**
 * The PHI-free analytics facts of a write (`gm.analytics.threads`), one per
 * timeline step it adds: `states` are the thread before the write (null when
 * it opens) and after each of its steps, in order. The patient is named by
 * their pseudonym only.
 */
export function analyticsEvents(
  states: (ThreadState | null)[],
  pseudonyms: PatientPseudonyms,
  cause: Cause,
): PendingEvent[] {
  const events: PendingEvent[] = [];
  for (let index = 1; index < states.length; index++) {
    const after = states[index]!;
    const pseudonym = pseudonyms.of(after.practiceId, after.patientId);
    for (const fact of analyticsFactsOf(states[index - 1] ?? null, after)) {
      events.push(pending(ThreadFactV1, { ...fact, ...pseudonym }, after, cause));
    }
  }
  return events;
}
