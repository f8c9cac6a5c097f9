import { defineEvent } from '../event-definition.js';
import { id, nullableId, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

export type RecipientKind = 'group' | 'member';

/**
 * A patient wrote in a thread: the first message, or a follow-up. `subject`
 * and `body` are PHI: consumers must never log them.
 */
export interface MessageSentV1 {
  practiceId: string;
  threadId: string;
  messageId: string;
  patientId: string;
  recipientKind: RecipientKind;
  /** Set when recipientKind is `group`. */
  groupId: string | null;
  /** Set when recipientKind is `member` (a direct message). */
  memberId: string | null;
  subject: string;
  body: string;
  followUp: boolean;
  /** Version of the thread on the intake side after this message. */
  threadVersion: number;
  sentAt: string;
}

export const MessageSentV1 = defineEvent<MessageSentV1>({
  name: 'MessageSent',
  type: 'gm.message.sent.v1',
  version: 1,
  topic: TOPICS.patientMessages,
  keyField: 'threadId',
  description:
    'A patient sent a message to a group or a member, or followed up in their thread. Contains PHI.',
  schema: object({
    practiceId: id,
    threadId: id,
    messageId: id,
    patientId: id,
    recipientKind: oneOf('group', 'member'),
    groupId: nullableId,
    memberId: nullableId,
    subject: { type: 'string', minLength: 1, maxLength: 200 },
    body: { type: 'string', minLength: 1, maxLength: 20000 },
    followUp: { type: 'boolean' },
    threadVersion: version,
    sentAt: timestamp,
  }),
});
