/**
 * The progress report's answer as a JSON Schema, for the OpenAPI document;
 * it mirrors ProgressReport (domain/progress-report.ts).
 */
import { AGE_BUCKETS } from '../domain/progress-report.js';

type Schema = Record<string, unknown>;

const count: Schema = { type: 'integer', minimum: 0 };
const ms = (description: string): Schema => ({
  type: 'integer',
  minimum: 0,
  nullable: true,
  description,
});
const timestamp: Schema = { type: 'string', format: 'date-time' };
const object = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  ...(description ? { description } : {}),
});

const activity = {
  messagesReceived: { ...count, description: 'Patient messages: first messages and follow-ups.' },
  threadsOpened: count,
  replies: count,
  firstResponse: object(
    {
      threads: count,
      p50Ms: ms('Median time from the first message to the first reply (nearest rank).'),
      p90Ms: ms('90th percentile of the same.'),
    },
    'First replies sent in the period.',
  ),
  withinTarget: {
    ...object({ replies: count, met: count, share: { type: 'number', minimum: 0, maximum: 1 } }),
    nullable: true,
    description:
      "Replies to a wait with the group's first-response target, and how many met it; null when no target applied.",
  },
  reassignments: { ...count, description: 'Assignments of a thread someone already held.' },
};

const report = object({
  practiceId: { type: 'string' },
  scope: {
    oneOf: [
      object({ kind: { type: 'string', enum: ['group'] }, groupId: { type: 'string' } }),
      object({ kind: { type: 'string', enum: ['practice'] } }),
    ],
  },
  period: object({ from: timestamp, to: timestamp }),
  ...activity,
  backlog: object(
    {
      asOf: timestamp,
      notReplied: count,
      replied: count,
      trash: count,
      unassigned: count,
      notRepliedByAge: object(Object.fromEntries(AGE_BUCKETS.map(({ name }) => [name, count]))),
    },
    'The threads now (not at the end of the period).',
  ),
  assignees: {
    type: 'array',
    items: object({
      memberId: { type: 'string' },
      assigned: count,
      replies: count,
      openNow: count,
    }),
  },
  groups: {
    type: 'array',
    description:
      'Practice-wide reports only: the same figures per group (groupId null: direct messages).',
    items: object({
      groupId: { type: 'string', nullable: true },
      ...activity,
      notRepliedNow: count,
    }),
  },
});

/** `groups` only on practice-wide reports. */
export const PROGRESS_REPORT: Schema = {
  ...report,
  required: (report.required as string[]).filter((name) => name !== 'groups'),
};
