import { defineEvent, type JsonSchema } from '../event-definition.js';
import { id, nullableId, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

export type WeekdayV1 = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** One opening of a weekday in local wall time of the group's time zone ('HH:MM', closes may be '24:00'). */
export interface OpeningHoursV1 {
  day: WeekdayV1;
  opens: string;
  closes: string;
}

/** When the group counts time: a weekly schedule in an IANA time zone, minus closed dates. */
export interface BusinessHoursV1 {
  timeZone: string;
  weekly: OpeningHoursV1[];
  /** Local dates (YYYY-MM-DD) the practice is closed all day. */
  closedDates: string[];
}

export type AcknowledgementWhenV1 = 'always' | 'outside-business-hours';
export type AssignmentModeV1 = 'off' | 'round-robin' | 'least-loaded';

/**
 * How a group works its queue, full state on every change (compacted topic):
 * its first-response target, the business hours it is counted in, the
 * automatic acknowledgement, return to queue, automatic assignment.
 * Durations are whole seconds of business time.
 */
export interface GroupWorkflowChangedV1 {
  practiceId: string;
  groupId: string;
  /** null: no response target. */
  responseTargetSeconds: number | null;
  /** null: always open. */
  businessHours: BusinessHoursV1 | null;
  /** null: no automatic acknowledgement. Not PHI: text the practice wrote for every patient. */
  acknowledgement: { when: AcknowledgementWhenV1; text: string } | null;
  /** null: an assignee keeps a thread however long they stay silent. */
  returnToQueueSeconds: number | null;
  assignment: {
    mode: AssignmentModeV1;
    /** Most open assigned threads a member takes automatically; null: no limit. */
    capacity: number | null;
  };
  version: number;
  changedAt: string;
}

const hhmm: JsonSchema = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' };
const seconds: JsonSchema = { type: ['integer', 'null'], minimum: 1, maximum: 31_536_000 };

export const GroupWorkflowChangedV1 = defineEvent<GroupWorkflowChangedV1>({
  name: 'GroupWorkflowChanged',
  type: 'gm.message-group.workflow-changed.v1',
  version: 1,
  topic: TOPICS.groupWorkflows,
  keyField: 'groupId',
  description:
    "A group's workflow settings changed (response target, business hours, automatic acknowledgement, return to queue, automatic assignment); carries the full new state.",
  schema: object({
    practiceId: id,
    groupId: id,
    responseTargetSeconds: seconds,
    businessHours: {
      type: ['object', 'null'],
      properties: {
        timeZone: { type: 'string', minLength: 1, maxLength: 64 },
        weekly: {
          type: 'array',
          maxItems: 70,
          items: object({
            day: oneOf('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'),
            opens: hhmm,
            closes: hhmm,
          }),
        },
        closedDates: {
          type: 'array',
          maxItems: 400,
          items: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
        },
      },
      required: ['timeZone', 'weekly', 'closedDates'],
    },
    acknowledgement: {
      type: ['object', 'null'],
      properties: {
        when: oneOf('always', 'outside-business-hours'),
        text: { type: 'string', minLength: 1, maxLength: 1000 },
      },
      required: ['when', 'text'],
    },
    returnToQueueSeconds: seconds,
    assignment: object({
      mode: oneOf('off', 'round-robin', 'least-loaded'),
      capacity: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
    }),
    version,
    changedAt: timestamp,
  }),
});

/** A period a member is away; their cover, if named, is a member of a group they share. */
export interface OutOfOfficePeriodV1 {
  periodId: string;
  startsAt: string;
  endsAt: string;
  coverMemberId: string | null;
}

/** A member's out-of-office periods, full state on every change (compacted topic, key memberId). */
export interface MemberOutOfOfficeChangedV1 {
  practiceId: string;
  memberId: string;
  /** Ordered by start; they never overlap. Past periods are dropped as they end. */
  periods: OutOfOfficePeriodV1[];
  version: number;
  changedAt: string;
}

export const MemberOutOfOfficeChangedV1 = defineEvent<MemberOutOfOfficeChangedV1>({
  name: 'MemberOutOfOfficeChanged',
  type: 'gm.member.out-of-office-changed.v1',
  version: 1,
  topic: TOPICS.outOfOffice,
  keyField: 'memberId',
  description:
    "A member's out-of-office periods changed (set by the member or an Admin of their groups), each with its optional cover; carries every current and future period.",
  schema: object({
    practiceId: id,
    memberId: id,
    periods: {
      type: 'array',
      maxItems: 50,
      items: object({
        periodId: id,
        startsAt: timestamp,
        endsAt: timestamp,
        coverMemberId: nullableId,
      }),
    },
    version,
    changedAt: timestamp,
  }),
});
