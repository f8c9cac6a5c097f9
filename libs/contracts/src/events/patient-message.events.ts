import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import {
  described,
  id,
  idList,
  nullableId,
  object,
  oneOf,
  openEnum,
  timestamp,
  version,
} from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/** Closed: it decides how the thread is routed (to a group, or to one member). */
const recipientKind = oneOf('group', 'member');

/** Open: a new app can appear without changing what the known ones mean. */
const patientChannel = openEnum('phr-web', 'mobile-app', 'branded-app', 'unknown');

export const MessageSentV1 = defineEvent({
  name: 'MessageSent',
  type: 'gm.message.sent.v1',
  version: 1,
  topic: TOPICS.patientMessages,
  keyField: 'threadId',
  description:
    'A patient sent a message to a group or a member, or followed up in their thread. Contains PHI.',
  schema: object(
    {
      practiceId: id,
      threadId: id,
      messageId: id,
      patientId: id,
      recipientKind,
      groupId: described(nullableId, 'Set when recipientKind is `group`.'),
      memberId: described(nullableId, 'Set when recipientKind is `member` (a direct message).'),
      subject: Type.String({ minLength: 1, description: 'PHI: never log it.' }),
      body: Type.String({ minLength: 1, description: 'PHI: never log it.' }),
      followUp: Type.Boolean(),
      threadVersion: described(
        version,
        'Version of the thread on the intake side after this message.',
      ),
      sentAt: timestamp,
      channel: described(
        patientChannel,
        "The app the patient wrote from, told by the client the patient's credentials were issued to (`unknown`: a client not known to be one of them). Absent on messages sent before it was recorded.",
      ),
      facilityId: described(
        nullableId,
        "The patient's facility when the message was sent (null: none). Absent on messages sent before it was recorded.",
      ),
      categoryIds: described(
        idList,
        "The patient's categories when the message was sent. Absent on messages sent before they were recorded.",
      ),
    },
    ['channel', 'facilityId', 'categoryIds'],
    {
      description:
        'A patient wrote in a thread: the first message, or a follow-up. `subject` and `body` are PHI: consumers must never log them.',
    },
  ),
});
export type MessageSentV1 = EventData<typeof MessageSentV1>;
export type RecipientKind = MessageSentV1['recipientKind'];
export type PatientChannel = NonNullable<MessageSentV1['channel']>;
