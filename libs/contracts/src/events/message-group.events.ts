import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import { described, id, nullableId, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/** Closed: it decides who a group's threads are routed to. */
const recipientMode = described(
  oneOf('specific-members', 'care-team'),
  "Who the group's threads go to: its Specific Members, or the patient's In-house Care Team.",
);
/** Closed: it decides what a member may do in the group. */
const groupPrivilege = described(oneOf('admin', 'user'), "The member's privilege in the group.");

const groupMember = object({ memberId: id, privilege: groupPrivilege });

const groupState = object(
  {
    practiceId: id,
    groupId: id,
    name: Type.String({ minLength: 1 }),
    description: Type.String(),
    facilityId: described(nullableId, 'null = All Facilities.'),
    patientCategoryId: described(nullableId, 'null = All Patients.'),
    recipientMode,
    members: Type.Array(groupMember, {
      description: 'Specific Members: Admins and Users. In-house Care Team: the group Admins only.',
    }),
    version,
    changedAt: timestamp,
  },
  [],
  { description: 'Full state of a group, carried by Created and Updated (compacted topic).' },
);

export type GroupRecipientMode = MessageGroupStateV1['recipientMode'];
export type GroupPrivilege = GroupMemberV1['privilege'];
export type GroupMemberV1 = MessageGroupStateV1['members'][number];
/** Full state of a group, carried by Created and Updated (compacted topic). */
export type MessageGroupStateV1 = EventData<typeof MessageGroupCreatedV1>;

export const MessageGroupCreatedV1 = defineEvent({
  name: 'MessageGroupCreated',
  type: 'gm.message-group.created.v1',
  version: 1,
  topic: TOPICS.messageGroups,
  keyField: 'groupId',
  description: 'A message group was created (Settings > Messages > Message Groups).',
  schema: groupState,
});
export type MessageGroupCreatedV1 = MessageGroupStateV1;

export const MessageGroupUpdatedV1 = defineEvent({
  name: 'MessageGroupUpdated',
  type: 'gm.message-group.updated.v1',
  version: 1,
  topic: TOPICS.messageGroups,
  keyField: 'groupId',
  description: 'A message group changed; carries its full new state.',
  schema: groupState,
});
export type MessageGroupUpdatedV1 = MessageGroupStateV1;

export const MessageGroupDeletedV1 = defineEvent({
  name: 'MessageGroupDeleted',
  type: 'gm.message-group.deleted.v1',
  version: 1,
  topic: TOPICS.messageGroups,
  keyField: 'groupId',
  description: 'A message group was deleted; its threads leave every inbox.',
  schema: object({
    practiceId: id,
    groupId: id,
    name: Type.String({ minLength: 1 }),
    version,
    changedAt: timestamp,
  }),
});
export type MessageGroupDeletedV1 = EventData<typeof MessageGroupDeletedV1>;
