import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import {
  described,
  id,
  nullable,
  nullableId,
  object,
  oneOf,
  timestamp,
  version,
} from '../schema-parts.js';
import { TOPICS } from '../topics.js';

const hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' });
const seconds = (description: string) =>
  described(nullable(Type.Integer({ minimum: 1 })), description);

/** Closed: there are seven days. */
const weekday = oneOf('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun');

const openingHours = object(
  {
    day: weekday,
    opens: hhmm,
    closes: hhmm,
  },
  [],
  {
    description:
      "One opening of a weekday in local wall time of the group's time zone ('HH:MM', closes may be '24:00').",
  },
);

const businessHours = object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'An IANA time zone.' }),
    weekly: Type.Array(openingHours),
    closedDates: Type.Array(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }), {
      description: 'Local dates (YYYY-MM-DD) the practice is closed all day.',
    }),
  },
  [],
  {
    description:
      'When the group counts time: a weekly schedule in an IANA time zone, minus closed dates.',
  },
);

/**
 * Closed: these are settings that decide what routing-assignment does (send
 * an acknowledgement or not, assign or not): a reader that does not know a
 * value cannot act on it.
 */
const acknowledgementWhen = oneOf('always', 'outside-business-hours');
const assignmentMode = oneOf('off', 'round-robin', 'least-loaded');

export const GroupWorkflowChangedV1 = defineEvent({
  name: 'GroupWorkflowChanged',
  type: 'gm.message-group.workflow-changed.v1',
  version: 1,
  topic: TOPICS.groupWorkflows,
  keyField: 'groupId',
  description:
    "A group's workflow settings changed (response target, business hours, automatic acknowledgement, return to queue, automatic assignment); carries the full new state.",
  schema: object(
    {
      practiceId: id,
      groupId: id,
      responseTargetSeconds: seconds('null: no response target.'),
      businessHours: described(nullable(businessHours), 'null: always open.'),
      acknowledgement: described(
        nullable(
          object({
            when: acknowledgementWhen,
            text: Type.String({ minLength: 1 }),
          }),
        ),
        'null: no automatic acknowledgement. Not PHI: text the practice wrote for every patient.',
      ),
      returnToQueueSeconds: seconds(
        'null: an assignee keeps a thread however long they stay silent.',
      ),
      assignment: object({
        mode: assignmentMode,
        capacity: described(
          nullable(Type.Integer({ minimum: 1 })),
          'Most open assigned threads a member takes automatically; null: no limit.',
        ),
      }),
      version,
      changedAt: timestamp,
    },
    [],
    {
      description:
        'How a group works its queue, full state on every change (compacted topic): its first-response target, the business hours it is counted in, the automatic acknowledgement, return to queue, automatic assignment. Durations are whole seconds of business time.',
    },
  ),
});
export type GroupWorkflowChangedV1 = EventData<typeof GroupWorkflowChangedV1>;
export type BusinessHoursV1 = NonNullable<GroupWorkflowChangedV1['businessHours']>;
export type OpeningHoursV1 = BusinessHoursV1['weekly'][number];
export type WeekdayV1 = OpeningHoursV1['day'];
export type AcknowledgementWhenV1 = NonNullable<GroupWorkflowChangedV1['acknowledgement']>['when'];
export type AssignmentModeV1 = GroupWorkflowChangedV1['assignment']['mode'];

const outOfOfficePeriod = object(
  {
    periodId: id,
    startsAt: timestamp,
    endsAt: timestamp,
    coverMemberId: described(nullableId, 'The cover; null: none.'),
  },
  [],
  {
    description:
      'A period a member is away; their cover, if named, is a member of a group they share.',
  },
);

export const MemberOutOfOfficeChangedV1 = defineEvent({
  name: 'MemberOutOfOfficeChanged',
  type: 'gm.member.out-of-office-changed.v1',
  version: 1,
  topic: TOPICS.outOfOffice,
  keyField: 'memberId',
  description:
    "A member's out-of-office periods changed (set by the member or an Admin of their groups), each with its optional cover; carries every current and future period.",
  schema: object(
    {
      practiceId: id,
      memberId: id,
      periods: Type.Array(outOfOfficePeriod, {
        description: 'Ordered by start; they never overlap. Past periods are dropped as they end.',
      }),
      version,
      changedAt: timestamp,
    },
    [],
    {
      description:
        "A member's out-of-office periods, full state on every change (compacted topic, key memberId).",
    },
  ),
});
export type MemberOutOfOfficeChangedV1 = EventData<typeof MemberOutOfOfficeChangedV1>;
export type OutOfOfficePeriodV1 = MemberOutOfOfficeChangedV1['periods'][number];
