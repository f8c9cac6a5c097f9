import { defineEvent } from '../event-definition.js';
import { id, nullableId, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

export type GroupRecipientMode = 'specific-members' | 'care-team';
export type GroupPrivilege = 'admin' | 'user';

export interface GroupMemberV1 {
  memberId: string;
  privilege: GroupPrivilege;
}

/** Full state of a group, carried by Created and Updated (compacted topic). */
export interface MessageGroupStateV1 {
  practiceId: string;
  groupId: string;
  name: string;
  description: string;
  /** null = All Facilities. */
  facilityId: string | null;
  /** null = All Patients. */
  patientCategoryId: string | null;
  recipientMode: GroupRecipientMode;
  /** Specific Members: Admins and Users. In-house Care Team: the group Admins only. */
  members: GroupMemberV1[];
  version: number;
  changedAt: string;
}

const groupStateSchema = object({
  practiceId: id,
  groupId: id,
  name: { type: 'string', minLength: 1, maxLength: 100 },
  description: { type: 'string', maxLength: 500 },
  facilityId: nullableId,
  patientCategoryId: nullableId,
  recipientMode: oneOf('specific-members', 'care-team'),
  members: {
    type: 'array',
    minItems: 1,
    maxItems: 10,
    items: object({ memberId: id, privilege: oneOf('admin', 'user') }),
  },
  version,
  changedAt: timestamp,
});

export type MessageGroupCreatedV1 = MessageGroupStateV1;
export const MessageGroupCreatedV1 = defineEvent<MessageGroupCreatedV1>({
  name: 'MessageGroupCreated',
  type: 'gm.message-group.created.v1',
  version: 1,
  topic: TOPICS.messageGroups,
  keyField: 'groupId',
  description: 'A message group was created (Settings > Messages > Message Groups).',
  schema: groupStateSchema,
});

export type MessageGroupUpdatedV1 = MessageGroupStateV1;
export const MessageGroupUpdatedV1 = defineEvent<MessageGroupUpdatedV1>({
  name: 'MessageGroupUpdated',
  type: 'gm.message-group.updated.v1',
  version: 1,
  topic: TOPICS.messageGroups,
  keyField: 'groupId',
  description: 'A message group changed; carries its full new state.',
  schema: groupStateSchema,
});

export interface MessageGroupDeletedV1 {
  practiceId: string;
  groupId: string;
  name: string;
  version: number;
  changedAt: string;
}

export const MessageGroupDeletedV1 = defineEvent<MessageGroupDeletedV1>({
  name: 'MessageGroupDeleted',
  type: 'gm.message-group.deleted.v1',
  version: 1,
  topic: TOPICS.messageGroups,
  keyField: 'groupId',
  description: 'A message group was deleted; its threads leave every inbox.',
  schema: object({
    practiceId: id,
    groupId: id,
    name: { type: 'string', minLength: 1, maxLength: 100 },
    version,
    changedAt: timestamp,
  }),
});
