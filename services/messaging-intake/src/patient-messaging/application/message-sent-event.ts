import { accessRecordedEvent, type RequestOrigin } from '@gm/access-recording';
import { buildEnvelope, MessageSentV1 } from '@gm/contracts';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import type { SentMessage } from '../domain/thread.js';
import type { SendContext } from './send-context.js';

const SOURCE = '/services/messaging-intake';

/** MessageSent for the message just written (key = thread id, so one thread's messages stay in order). */
export function messageSentEvent(
  message: SentMessage,
  context: SendContext,
  correlationId: string,
): PendingEvent {
  const { recipient } = message;
  const data: MessageSentV1 = {
    practiceId: message.practiceId,
    threadId: message.threadId,
    messageId: message.messageId,
    patientId: message.patientId,
    recipientKind: recipient.kind,
    groupId: recipient.kind === 'group' ? recipient.groupId : null,
    memberId: recipient.kind === 'member' ? recipient.memberId : null,
    subject: message.subject,
    body: message.body,
    followUp: message.followUp,
    threadVersion: message.threadVersion,
    sentAt: message.sentAt,
    channel: context.channel,
    facilityId: context.facilityId,
    categoryIds: context.categoryIds,
  };
  const metadata = {
    ...newEventMetadata({ source: SOURCE, practiceId: message.practiceId, correlationId }),
    time: message.sentAt,
  };
  return {
    definition: MessageSentV1,
    envelope: buildEnvelope(MessageSentV1, data, metadata),
  } as PendingEvent;
}

/**
 * The events of a patient's send: MessageSent, and the access record of the
 * send itself (creating PHI is an audited action, like a member's reply;
 * ADR 0013), both in the thread's outbox with the message.
 */
export function sendEvents(
  message: SentMessage,
  context: SendContext,
  origin: RequestOrigin,
  correlationId: string,
): PendingEvent[] {
  const sent = messageSentEvent(message, context, correlationId);
  return [
    sent,
    accessRecordedEvent(SOURCE, {
      practiceId: message.practiceId,
      threadId: message.threadId,
      actor: { kind: 'patient', id: message.patientId },
      action: 'thread.message-sent',
      origin,
      correlationId,
      causationId: sent.envelope.id,
      occurredAt: message.sentAt,
    }),
  ];
}
