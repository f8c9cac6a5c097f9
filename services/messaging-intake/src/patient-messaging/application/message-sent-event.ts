import { buildEnvelope, MessageSentV1 } from '@gm/contracts';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import type { SentMessage } from '../domain/thread.js';

const SOURCE = '/services/messaging-intake';

/** MessageSent for the message just written (key = thread id, so one thread's messages stay in order). */
export function messageSentEvent(message: SentMessage, correlationId: string): PendingEvent {
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
