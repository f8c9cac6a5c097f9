/**
 * The answers of the inbox routes as JSON Schemas, for the OpenAPI document
 * (inbox UIs and client generators read it). Each mirrors the view type its
 * handler returns (application/…-view.ts, InboxPage, RebuildStatus).
 */
import { CONVERSATION_VERSION_PATTERN } from '@gm/contracts';

type Schema = Record<string, unknown>;

const string: Schema = { type: 'string' };
const nullableString: Schema = { type: 'string', nullable: true };
const timestamp: Schema = { type: 'string', format: 'date-time' };
const count: Schema = { type: 'integer', minimum: 0 };
const boolean: Schema = { type: 'boolean' };
const oneOf = (...values: string[]): Schema => ({ type: 'string', enum: values });
const list = (items: Schema): Schema => ({ type: 'array', items });
/** Every property required, as the handlers always set each (null where a value may be missing). */
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
});

const status = oneOf('not-replied', 'replied');
const patient = object({ patientId: string, displayName: string });
const bucketCounts = {
  counts: object({
    notReplied: count,
    replied: count,
    trash: count,
    overdue: {
      ...count,
      description: "Not Replied threads past the group's first-response target (filter=overdue).",
    },
  }),
  unread: count,
};
const overdue: Schema = {
  ...boolean,
  description: "Past the group's first-response target, not replied since, not in Trash.",
};
const nextCursor = {
  ...nullableString,
  description: 'Pass as `cursor` for the next page; null on the last.',
};

export const MY_GROUPS: Schema = object({
  groups: list(
    object({
      groupId: string,
      name: string,
      recipientMode: oneOf('specific-members', 'care-team'),
      admin: { ...boolean, description: 'I am an Admin of the group.' },
      ...bucketCounts,
    }),
  ),
  direct: object(bucketCounts),
});

export const INBOX_PAGE: Schema = object({
  threads: list(
    object({
      threadId: string,
      subject: string,
      patient,
      status,
      trashed: boolean,
      overdue,
      lastActivityAt: timestamp,
      unread: boolean,
      assigneeMemberId: nullableString,
    }),
  ),
  nextCursor,
});

export const MEMBER_THREAD: Schema = object({
  threadId: string,
  groupId: { ...nullableString, description: 'null for a direct message.' },
  routing: {
    type: 'string',
    enum: ['specific-members', 'care-team', 'direct', null],
    nullable: true,
  },
  subject: nullableString,
  patient,
  status,
  trashed: boolean,
  overdue,
  assigneeMemberId: nullableString,
  admin: boolean,
  version: {
    type: 'integer',
    minimum: 0,
    description: 'Pass as `after` to read at least this version.',
  },
  conversationVersion: {
    type: 'string',
    pattern: CONVERSATION_VERSION_PATTERN,
    example: 'm2r1',
    description:
      'What this view shows of the conversation (patient messages, replies). Send it as `If-Match` with a reply (routing-assignment `POST /threads/:threadId/replies`): the reply is refused with 409 `thread-changed` if a patient message or another reply landed since.',
  },
  messages: list(object({ messageId: string, body: string, sentAt: timestamp, followUp: boolean })),
  replies: list(
    object({
      replyId: string,
      body: string,
      sentAt: timestamp,
      senderDisplayName: string,
      repliedByMemberId: string,
    }),
  ),
  acknowledgements: {
    ...list(
      object({
        acknowledgementId: string,
        messageId: { ...string, description: 'The patient message it acknowledges.' },
        body: string,
        sentAt: timestamp,
        senderDisplayName: string,
      }),
    ),
    description:
      "The group's automatic acknowledgements, as the patient received them; not replies (the thread stays Not Replied).",
  },
  notes: {
    ...list(object({ noteId: string, authorMemberId: string, body: string, addedAt: timestamp })),
    description:
      "Internal notes of the thread's audience, oldest first. Staff-only: the patient never sees them.",
  },
  timeline: {
    ...object({
      entries: list(
        object({
          kind: oneOf(
            'sent',
            'follow-up',
            'routed',
            'assigned',
            'unassigned',
            'replied',
            'trashed',
            'restored',
            'overdue',
            'acknowledged',
            'note-added',
          ),
          at: timestamp,
          actorKind: oneOf('patient', 'member', 'system'),
          actorId: nullableString,
          details: {
            type: 'object',
            additionalProperties: { oneOf: [string, { type: 'number' }], nullable: true },
          },
        }),
      ),
      memberNames: { type: 'object', additionalProperties: string },
    }),
    nullable: true,
    description: 'For Admins and the addressee; null for everyone else.',
  },
});

export const MAILBOX_PAGE: Schema = object({
  threads: list(
    object({
      threadId: string,
      groupName: {
        ...string,
        description: "The group's name, or the practice's: never a member's.",
      },
      subject: nullableString,
      lastActivityAt: timestamp,
      replies: count,
      unreadReplies: count,
    }),
  ),
  nextCursor,
});

export const PATIENT_THREAD: Schema = object({
  threadId: string,
  groupName: string,
  subject: nullableString,
  status: {
    ...oneOf('replied', 'awaiting-reply'),
    description: 'An automatic acknowledgement is not a reply: the thread still awaits one.',
  },
  messages: list(object({ messageId: string, body: string, sentAt: timestamp })),
  replies: {
    ...list(
      object({
        replyId: { ...string, description: "The reply's id, or the acknowledgement's." },
        body: string,
        sentAt: timestamp,
        from: { ...string, description: "The group's name, or the practice's: never a member's." },
        automatic: {
          ...boolean,
          description: "The group's automatic acknowledgement of a message, not a reply.",
        },
      }),
    ),
    description: 'What the practice sent, oldest first: replies and automatic acknowledgements.',
  },
});

export const REBUILD_STATUS: Schema = object({
  state: oneOf('idle', 'running', 'done', 'failed'),
  generation: { type: 'integer', nullable: true },
  events: count,
  startedAt: { ...timestamp, nullable: true },
  finishedAt: { ...timestamp, nullable: true },
  eventsPerSecond: { type: 'number', nullable: true },
});
