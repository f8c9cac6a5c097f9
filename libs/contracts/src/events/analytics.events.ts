import { Type, type TSchema } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import { MAX_ID_LENGTH } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * The PHI-free analytics stream (ADR 0024). Every field is an id, a known
 * word, a number, a boolean or a time: a string field here is never free
 * text (analytics.events.spec.ts walks the schema to hold that).
 */

const id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH });
const nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);
const time = Type.String({ format: 'date-time' });
const milliseconds = (description: string) => nullable(Type.Integer({ minimum: 0, description }));

/** An open set of words: readers must take a value they do not know (event-compatibility.md). */
function word<const K extends string>(known: readonly K[], description: string) {
  return Type.Unsafe<K | (string & {})>({
    type: 'string',
    pattern: '^[a-z][a-z0-9-]{0,63}$',
    examples: [...known],
    description: `${description} Known values: ${known.join(', ')}; others may be added.`,
  });
}

export const THREAD_FACT_KINDS = [
  'opened',
  'routed',
  'assigned',
  'unassigned',
  'replied',
  'patient-followed-up',
  'trashed',
  'restored',
  'overdue',
  'acknowledged',
  'note-added',
] as const;

export const ThreadFactV1 = defineEvent({
  name: 'ThreadFact',
  type: 'gm.analytics.thread-fact.v1',
  version: 1,
  topic: TOPICS.analyticsThreads,
  keyField: 'threadId',
  description:
    "One step of a patient thread's life, without PHI: what happened, when, in which practice, group, facility and patient categories, from which app, the timings, and a pseudonymous patient key. Never a subject, body, name or free text.",
  schema: Type.Object({
    practiceId: id,
    threadId: id,
    sequence: Type.Integer({
      minimum: 1,
      description:
        "The step's place in its thread (1 = opened): a thread's facts are numbered without gaps, so (threadId, sequence) names a fact once and a reader sees what it missed.",
    }),
    fact: word(THREAD_FACT_KINDS, 'What happened.'),
    occurredAt: time,
    openedAt: Type.String({ format: 'date-time', description: "The thread's first message." }),
    groupId: nullable(id),
    routing: nullable(
      word(
        ['specific-members', 'care-team', 'direct'],
        'How the thread reached the practice; null while it waits for its group.',
      ),
    ),
    facilityId: nullable(
      Type.String({
        minLength: 1,
        maxLength: MAX_ID_LENGTH,
        description: "The patient's facility when the thread opened.",
      }),
    ),
    categoryIds: Type.Array(id, {
      uniqueItems: true,
      description: "The patient's categories when the thread opened.",
    }),
    channel: word(
      ['phr-web', 'mobile-app', 'branded-app', 'unknown'],
      "The app the patient wrote the thread's first message from (from the client's credentials).",
    ),
    patientKey: Type.String({
      pattern: '^[0-9a-f]{32}$',
      description:
        'The patient, pseudonymous: a keyed hash of the patient id, keyed per practice. The same patient gives the same key while the key is the same; after a rotation (patientKeyId) it gives another, and the two cannot be linked.',
    }),
    patientKeyId: Type.String({
      pattern: '^[A-Za-z0-9_-]{1,32}$',
      description: 'Which key made patientKey.',
    }),
    status: word(['not-replied', 'replied'], 'The thread after the step.'),
    trashed: Type.Boolean({ description: 'In Trash after the step.' }),
    assigneeMemberId: Type.Union([id, Type.Null()], {
      description: 'The assignee after the step; null when unassigned.',
    }),
    previousAssigneeMemberId: Type.Union([id, Type.Null()], {
      description:
        'On an assignment or an unassignment: who held the thread before; an assignment with one is a reassignment.',
    }),
    actor: word(['patient', 'member', 'system'], 'Who took the step.'),
    actorMemberId: Type.Union([id, Type.Null()], {
      description: 'The member who took the step; null for the patient and the system.',
    }),
    reason: nullable(
      word(
        [
          'manual',
          'automatic',
          'cover',
          'member-removed-from-group',
          'member-deactivated',
          'care-team-changed',
          'assignee-silent',
          'assignee-out-of-office',
          'member-restored',
          'patient-follow-up',
          'always',
          'outside-business-hours',
        ],
        'How or why: how an assignment was made, why a thread was unassigned or restored, when an acknowledgement is sent.',
      ),
    ),
    sinceOpenedMs: Type.Integer({ minimum: 0, description: 'From openedAt to occurredAt.' }),
    timeToFirstReplyMs: milliseconds('On the first reply only: from openedAt to the reply.'),
    timeToFirstAssignmentMs: milliseconds(
      'On the first assignment only: from openedAt to the assignment.',
    ),
    responseMs: milliseconds(
      'On a reply: from the start of the wait it answers (the patient message, or the restore, that began it).',
    ),
    responseTargetSeconds: nullable(
      Type.Integer({
        minimum: 1,
        description: "The group's first-response target for that wait (business time), if any.",
      }),
    ),
    withinTarget: Type.Union([Type.Boolean(), Type.Null()], {
      description: 'On a reply to a wait with a target: replied by its deadline.',
    }),
  }),
});
export type ThreadFactV1 = EventData<typeof ThreadFactV1>;
export type ThreadFactKind = ThreadFactV1['fact'];
