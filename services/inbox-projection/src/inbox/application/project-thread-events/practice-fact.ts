import {
  AcknowledgementSentV1,
  MessageAssignedV1,
  MessageAssignedV2,
  MessageResponseOverdueV1,
  MessageRestoredV1,
  MessageRestoredV2,
  MessageRoutedV1,
  MessageTrashedV1,
  MessageUnassignedV1,
  MessageUnassignedV2,
  ReplySentV1,
  type EventEnvelope,
} from '@gm/contracts';
import type { PracticeFact } from '../../domain/thread-view.js';

/**
 * What a practice-side thread event (routing, assignment, reply, trash,
 * target, acknowledgement) tells the thread view. Older versions stay in the
 * log and fold as they always did (a rebuild replays them).
 */
export function practiceFact(envelope: EventEnvelope): PracticeFact {
  const d = envelope.data as Record<string, unknown> & {
    threadVersion: number;
    occurredAt: string;
    groupId: string | null;
  };
  const base = { threadVersion: d.threadVersion, occurredAt: d.occurredAt, groupId: d.groupId };
  switch (envelope.type) {
    case MessageRoutedV1.type: {
      const e = d as unknown as MessageRoutedV1;
      return {
        ...base,
        kind: 'routed',
        patientId: e.patientId,
        routing: e.routing,
        memberId: e.memberId,
      };
    }
    case MessageAssignedV1.type:
    case MessageAssignedV2.type: {
      const e = d as unknown as MessageAssignedV2;
      return {
        ...base,
        kind: 'assigned',
        assigneeMemberId: e.assigneeMemberId,
        previousAssigneeMemberId: e.previousAssigneeMemberId,
        byMemberId: e.assignedByMemberId,
        // Before automatic assignment (v1), every assignment was an Admin's.
        how: e.how ?? 'manual',
      };
    }
    case MessageUnassignedV1.type:
    case MessageUnassignedV2.type: {
      // V2 only adds reasons (assignee-silent, assignee-out-of-office).
      const e = d as unknown as MessageUnassignedV2;
      return {
        ...base,
        kind: 'unassigned',
        previousAssigneeMemberId: e.previousAssigneeMemberId,
        reason: e.reason,
      };
    }
    case ReplySentV1.type: {
      const e = d as unknown as ReplySentV1;
      return {
        ...base,
        kind: 'replied',
        replyId: e.replyId,
        body: e.body,
        senderDisplayName: e.senderDisplayName,
        repliedByMemberId: e.repliedByMemberId,
      };
    }
    case MessageTrashedV1.type:
      return {
        ...base,
        kind: 'trashed',
        byMemberId: (d as unknown as MessageTrashedV1).byMemberId,
      };
    case MessageResponseOverdueV1.type: {
      const e = d as unknown as MessageResponseOverdueV1;
      return {
        ...base,
        kind: 'overdue',
        awaitingSince: e.awaitingSince,
        respondBy: e.respondBy,
        targetSeconds: e.targetSeconds,
      };
    }
    case AcknowledgementSentV1.type: {
      const e = d as unknown as AcknowledgementSentV1;
      return {
        ...base,
        kind: 'acknowledged',
        acknowledgementId: e.acknowledgementId,
        messageId: e.messageId,
        senderDisplayName: e.senderDisplayName,
        body: e.body,
        when: e.when,
      };
    }
    case MessageRestoredV2.type: {
      const e = d as unknown as MessageRestoredV2;
      return { ...base, kind: 'restored', byMemberId: e.byMemberId, reason: e.reason };
    }
    default:
      return {
        ...base,
        kind: 'restored',
        byMemberId: (d as unknown as MessageRestoredV1).byMemberId,
        reason: 'member-restored',
      };
  }
}
