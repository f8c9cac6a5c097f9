/**
 * A group's workflow settings (GET/PUT /message-groups/:groupId/workflow)
 * against the real servers: the directory replica fed over Kafka, groups
 * created through the API, and GroupWorkflowChanged read back from Kafka and
 * checked against its contract. Every refusal is checked to have stored and
 * published nothing.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  GroupWorkflowChangedV1,
  PRIVILEGES,
  schemaViolations,
  TOPICS,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { EventsOnTopic, ServiceTestBed, TEST_JWT_SECRET, uniqueName, waitFor } from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import { GROUP_WORKFLOWS_COLLECTION } from './infrastructure/group-workflows.repository.js';

const practice = uniqueName('prc_wf');
const otherPractice = uniqueName('prc_wf_other');

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'group-config-workflow-it',
);
let app: INestApplication;
let workflowEvents: EventsOnTopic;

const http = () => request(app.getHttpServer());

async function as(sub: string, practiceId = practice, actor: ActorKind = 'member') {
  return `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor })}`;
}

/** mbr_settings holds Practice Access and belongs to no group; the others hold no privilege. */
const MEMBERS = ['mbr_admin', 'mbr_user', 'mbr_outsider', 'mbr_leaving'];

beforeAll(async () => {
  await bed.connect();
  for (const [practiceId, admin] of [
    [practice, 'mbr_settings'],
    [otherPractice, 'mbr_other_settings'],
  ] as const) {
    const feed = bed.directory(practiceId);
    await feed.practice({ name: 'Riverside', plan: 'paid' });
    await feed.role({
      roleId: 'role_manager',
      name: 'Office Manager',
      privileges: [PRIVILEGES.messageGroupsSettings],
    });
    await feed.role({ roleId: 'role_staff', name: 'Staff', privileges: [] });
    await feed.member({
      memberId: admin,
      displayName: 'Settings Admin',
      roleId: 'role_manager',
      active: true,
    });
  }
  const feed = bed.directory(practice);
  for (const memberId of MEMBERS) {
    await feed.member({
      memberId,
      displayName: `Staff ${memberId}`,
      roleId: 'role_staff',
      active: true,
    });
  }
  app = await bed.start();
  workflowEvents = await bed.observe(TOPICS.groupWorkflows.name, practice);
  const replica = app.get(DirectoryReplica);
  await bed.untilReplicated(
    () => [
      replica.practice(practice),
      replica.role(practice, 'role_manager'),
      replica.role(otherPractice, 'role_manager'),
      replica.member(practice, 'mbr_settings'),
      replica.member(otherPractice, 'mbr_other_settings'),
      replica.members(practice, MEMBERS).then((found) => found.length === MEMBERS.length),
    ],
    { timeoutMs: 30000, description: 'the directory replica to catch up' },
  );
});

afterAll(() => bed.stop());

const ADMIN_AND_USER = [
  { memberId: 'mbr_admin', privilege: 'admin' },
  { memberId: 'mbr_user', privilege: 'user' },
];

/** A group created by the Practice Access holder; by default mbr_admin is its Admin and mbr_user its User. */
async function createGroup(members = ADMIN_AND_USER): Promise<string> {
  const created = await http()
    .post('/message-groups')
    .set('authorization', await as('mbr_settings'))
    .send({ name: uniqueName('Front Office'), recipientMode: 'specific-members', members })
    .expect(201);
  return created.body.groupId;
}

const workflowOf = (groupId: string) => `/message-groups/${groupId}/workflow`;

/** The defaults as a body from before automatic assignment (no `assignment`: off). */
const DEFAULTS = {
  responseTargetSeconds: null,
  businessHours: null,
  acknowledgement: null,
  returnToQueueSeconds: null,
};

/** Assignment by hand only: what a body without `assignment` stores. */
const BY_HAND = { mode: 'off', capacity: null };

/** The defaults as answered and published. */
const DEFAULTS_STORED = { ...DEFAULTS, assignment: BY_HAND };

const weekdays = (opens: string, closes: string) =>
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, opens, closes }));

/** A full workflow, as Settings submits it. */
const settings = (overrides: Record<string, unknown> = {}) => ({
  responseTargetSeconds: 4 * 3600,
  businessHours: {
    timeZone: 'America/New_York',
    weekly: [
      ...weekdays('08:00', '12:00'),
      ...weekdays('13:00', '17:30'),
      { day: 'sat', opens: '09:00', closes: '24:00' },
    ],
    closedDates: ['2026-12-25', '2026-07-04'],
  },
  acknowledgement: {
    when: 'outside-business-hours',
    text: '  Thank you. We are closed now and will reply on the next business day.  ',
  },
  returnToQueueSeconds: 2 * 3600,
  ...overrides,
});

/** What the service stores for `settings()`: text trimmed, openings by day and time, dates ascending. */
const stored = {
  responseTargetSeconds: 4 * 3600,
  businessHours: {
    timeZone: 'America/New_York',
    weekly: [
      ...(['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [
        { day, opens: '08:00', closes: '12:00' },
        { day, opens: '13:00', closes: '17:30' },
      ]),
      { day: 'sat', opens: '09:00', closes: '24:00' },
    ],
    closedDates: ['2026-07-04', '2026-12-25'],
  },
  acknowledgement: {
    when: 'outside-business-hours',
    text: 'Thank you. We are closed now and will reply on the next business day.',
  },
  returnToQueueSeconds: 2 * 3600,
  assignment: BY_HAND,
};

/** What the contract's JSON Schema finds wrong with an event's data (nothing, it should). */
const violations = (data: unknown) =>
  schemaViolations(GroupWorkflowChangedV1 as unknown as EventDefinition<unknown>, data);

const eventsOf = (groupId: string) => workflowEvents.ofType(GroupWorkflowChangedV1.type, groupId);

/** Waits until the group has `count` workflow events on Kafka and answers them. */
async function untilEvents(groupId: string, count: number): Promise<EventEnvelope[]> {
  return waitFor(
    async () => eventsOf(groupId),
    (events) => events.length >= count,
    { description: `${count} GroupWorkflowChanged of ${groupId}` },
  );
}

/**
 * Nothing was published since `before` events: a change made now is the very
 * next event of the group (one document's outbox is published in order).
 */
async function publishedNothingSince(groupId: string, authorization: string, before: number) {
  const sentinel = await http()
    .put(workflowOf(groupId))
    .set('authorization', authorization)
    .send(settings({ responseTargetSeconds: 60 + before }))
    .expect(200);
  const events = await untilEvents(groupId, before + 1);
  expect(events).toHaveLength(before + 1);
  expect((events.at(-1)!.data as GroupWorkflowChangedV1).version).toBe(sentinel.body.version);
  return sentinel.body.version as number;
}

describe('a group that never set its workflow', () => {
  it('answers the defaults at version 0, with ETag "0"', async () => {
    const groupId = await createGroup();
    const read = await http()
      .get(workflowOf(groupId))
      .set('authorization', await as('mbr_admin'))
      .expect(200);
    expect(read.body).toEqual({ ...DEFAULTS_STORED, version: 0, changedAt: null });
    expect(read.headers.etag).toBe('"0"');
  });
});

describe('replacing the workflow', () => {
  it('by an Admin of the group stores it, answers the view with its ETag, and publishes exactly one schema-valid GroupWorkflowChanged', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    const put = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"0"')
      .send(settings())
      .expect(200);
    expect(put.body).toEqual({ ...stored, version: 1, changedAt: expect.any(String) });
    expect(put.headers.etag).toBe('"1"');
    expect(put.headers['consistency-token']).toEqual(expect.any(String));

    const read = await http()
      .get(workflowOf(groupId))
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toEqual(put.body);
    expect(read.headers.etag).toBe('"1"');

    const [event] = await untilEvents(groupId, 1);
    expect(violations(event!.data)).toEqual([]);
    expect(event!.data).toEqual({
      practiceId: practice,
      groupId,
      ...stored,
      version: 1,
      changedAt: put.body.changedAt,
    });
    expect(event!.subject).toBe(groupId);
    expect(event!.practiceId).toBe(practice);
    expect(workflowEvents.invalid).toEqual([]);
    // Nothing more than that one event.
    await publishedNothingSince(groupId, authorization, 1);
  });

  it('that changes nothing stores and publishes nothing, and answers the stored version', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    // The defaults, sent to a group that never set its workflow: version 0 stays.
    const unchangedDefaults = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"0"')
      .send(DEFAULTS)
      .expect(200);
    expect(unchangedDefaults.body).toEqual({ ...DEFAULTS_STORED, version: 0, changedAt: null });
    expect(unchangedDefaults.headers.etag).toBe('"0"');
    // So are they with assignment by hand spelled out.
    const spelledOut = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"0"')
      .send(DEFAULTS_STORED)
      .expect(200);
    expect(spelledOut.body).toEqual(unchangedDefaults.body);

    const first = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .send(settings())
      .expect(200);
    // The same settings, in another order and with other blanks around the text.
    const same = settings();
    same.businessHours.weekly.reverse();
    same.businessHours.closedDates.reverse();
    same.acknowledgement.text = same.acknowledgement.text.trim();
    const again = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(same)
      .expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe('"1"');
    await untilEvents(groupId, 1);
    expect(await publishedNothingSince(groupId, authorization, 1)).toBe(2);
  });

  it('grows the version by one per change, each event carrying the full state', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    const versions: number[] = [];
    for (const change of [
      settings(),
      settings({ acknowledgement: null }),
      settings({ businessHours: null, acknowledgement: { when: 'always', text: 'Got it.' } }),
      DEFAULTS,
    ]) {
      const put = await http()
        .put(workflowOf(groupId))
        .set('authorization', authorization)
        .set('if-match', `"${versions.length}"`)
        .send(change)
        .expect(200);
      versions.push(put.body.version);
    }
    expect(versions).toEqual([1, 2, 3, 4]);
    const events = await untilEvents(groupId, 4);
    expect(events.map((e) => (e.data as GroupWorkflowChangedV1).version)).toEqual([1, 2, 3, 4]);
    expect(events[2]!.data).toMatchObject({
      businessHours: null,
      acknowledgement: { when: 'always', text: 'Got it.' },
      responseTargetSeconds: 4 * 3600,
    });
    expect(events[3]!.data).toMatchObject({ ...DEFAULTS_STORED, version: 4 });
    expect(events.map((e) => violations(e.data))).toEqual([[], [], [], []]);
  });

  it('takes an automatic assignment: stores, answers and publishes it, and tells it from the others', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    const robin = { mode: 'round-robin', capacity: 5 };
    const put = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"0"')
      .send(settings({ assignment: robin }))
      .expect(200);
    expect(put.body).toEqual({
      ...stored,
      assignment: robin,
      version: 1,
      changedAt: expect.any(String),
    });
    const read = await http()
      .get(workflowOf(groupId))
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toEqual(put.body);
    const [event] = await untilEvents(groupId, 1);
    expect(violations(event!.data)).toEqual([]);
    expect(event!.data).toEqual({
      practiceId: practice,
      groupId,
      ...stored,
      assignment: robin,
      version: 1,
      changedAt: put.body.changedAt,
    });

    // The same assignment again changes nothing.
    const again = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(settings({ assignment: { capacity: 5, mode: 'round-robin' } }))
      .expect(200);
    expect(again.body).toEqual(put.body);

    // Each of these is a change: another capacity, no limit, another mode, and
    // a body without `assignment` (back to by hand), which spelled out is no change.
    const changes: [unknown, number][] = [
      [{ mode: 'round-robin', capacity: 6 }, 2],
      [{ mode: 'round-robin', capacity: null }, 3],
      [{ mode: 'least-loaded', capacity: null }, 4],
      [undefined, 5],
      [BY_HAND, 5],
    ];
    for (const [assignment, version] of changes) {
      const body = assignment === undefined ? settings() : settings({ assignment });
      const answer = await http()
        .put(workflowOf(groupId))
        .set('authorization', authorization)
        .send(body)
        .expect(200);
      expect(answer.body).toMatchObject({ assignment: assignment ?? BY_HAND, version });
    }
    const events = await untilEvents(groupId, 5);
    expect(events.map((e) => (e.data as GroupWorkflowChangedV1).assignment)).toEqual([
      robin,
      { mode: 'round-robin', capacity: 6 },
      { mode: 'round-robin', capacity: null },
      { mode: 'least-loaded', capacity: null },
      BY_HAND,
    ]);
    expect(events.map((e) => violations(e.data))).toEqual([[], [], [], [], []]);
    await publishedNothingSince(groupId, authorization, 5);
  });

  it('reads a workflow stored before automatic assignment was offered as assignment by hand', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .send(settings())
      .expect(200);
    await untilEvents(groupId, 1);
    // As such a workflow was stored: without `assignment`.
    const workflows = app
      .get<Connection>(getConnectionToken())
      .collection(GROUP_WORKFLOWS_COLLECTION);
    const id = `${practice}:${groupId}` as never;
    await workflows.updateOne({ _id: id }, { $unset: { 'workflow.assignment': '' } });
    expect(await workflows.findOne({ _id: id })).not.toHaveProperty('workflow.assignment');

    const read = await http()
      .get(workflowOf(groupId))
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toEqual({ ...stored, version: 1, changedAt: expect.any(String) });
    // The same settings, with or without assignment by hand spelled out, change nothing.
    for (const body of [settings(), settings({ assignment: BY_HAND })]) {
      const same = await http()
        .put(workflowOf(groupId))
        .set('authorization', authorization)
        .set('if-match', '"1"')
        .send(body)
        .expect(200);
      expect(same.body).toEqual(read.body);
    }
    const least = { mode: 'least-loaded', capacity: 20 };
    const changed = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(settings({ assignment: least }))
      .expect(200);
    expect(changed.body).toMatchObject({ assignment: least, version: 2 });
    const events = await untilEvents(groupId, 2);
    expect(events[1]!.data).toMatchObject({ assignment: least, version: 2 });
    expect(violations(events[1]!.data)).toEqual([]);
    await publishedNothingSince(groupId, authorization, 2);
  });

  it('with a stale If-Match is 409 workflow-changed-meanwhile and changes nothing; a malformed one is 400', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .send(settings())
      .expect(200);
    for (const stale of ['"0"', '"2"', 'W/"7"']) {
      const refused = await http()
        .put(workflowOf(groupId))
        .set('authorization', authorization)
        .set('if-match', stale)
        .send(settings({ responseTargetSeconds: 30 }))
        .expect(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.code).toBe('workflow-changed-meanwhile');
    }
    const malformed = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('if-match', 'not-a-version')
      .send(settings({ responseTargetSeconds: 30 }))
      .expect(400);
    expect(malformed.body.code).toBe('invalid-if-match');
    const read = await http()
      .get(workflowOf(groupId))
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toMatchObject({ ...stored, version: 1 });
    await untilEvents(groupId, 1);
    await publishedNothingSince(groupId, authorization, 1);
  });

  it('lets exactly one of concurrent changes from the same version win', async () => {
    const groupId = await createGroup();
    const authorization = await as('mbr_admin');
    // The first write of a workflow (an insert) and a later one (a compare-and-set).
    for (const version of [0, 1]) {
      const attempts = await Promise.all(
        [60, 120, 180, 240].map(async (seconds) =>
          http()
            .put(workflowOf(groupId))
            .set('authorization', authorization)
            .set('if-match', `"${version}"`)
            .send(settings({ responseTargetSeconds: seconds + version })),
        ),
      );
      expect(attempts.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    }
    const events = await untilEvents(groupId, 2);
    expect(events.map((e) => (e.data as GroupWorkflowChangedV1).version)).toEqual([1, 2]);
    await publishedNothingSince(groupId, authorization, 2);
  });
});

describe('who sees and changes a workflow', () => {
  let groupId: string;
  beforeAll(async () => {
    groupId = await createGroup();
  });

  const status = async (method: 'get' | 'put', authorization: string, id = groupId) => {
    const call = http()[method](workflowOf(id)).set('authorization', authorization);
    const response = method === 'put' ? await call.send(settings()) : await call;
    if (response.status >= 400) {
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    return `${response.status} ${response.body.code ?? ''}`.trim();
  };

  it('the group members read it; its Admins and Practice Access holders change it; others are 403', async () => {
    expect(await status('get', await as('mbr_admin'))).toBe('200');
    expect(await status('get', await as('mbr_user'))).toBe('200');
    expect(await status('get', await as('mbr_settings'))).toBe('200');
    expect(await status('get', await as('mbr_outsider'))).toBe('403 group-member-required');

    expect(await status('put', await as('mbr_user'))).toBe('403 group-admin-required');
    expect(await status('put', await as('mbr_outsider'))).toBe('403 group-admin-required');
    expect(await status('put', await as('mbr_settings'))).toBe('200');
    expect(await status('put', await as('mbr_admin'))).toBe('200');
    // The refusals stored nothing: one change (the Practice Access holder's), the Admin's was the same.
    const read = await http()
      .get(workflowOf(groupId))
      .set('authorization', await as('mbr_user'))
      .expect(200);
    expect(read.body.version).toBe(1);
    const events = await untilEvents(groupId, 1);
    expect(events).toHaveLength(1);
  });

  it('a deactivated Admin of the group, a patient and a system client are refused', async () => {
    const theirs = await createGroup([
      ...ADMIN_AND_USER,
      { memberId: 'mbr_leaving', privilege: 'admin' },
    ]);
    expect(await status('get', await as('mbr_leaving'), theirs)).toBe('200');
    await bed.directory(practice).member({
      memberId: 'mbr_leaving',
      displayName: 'Staff mbr_leaving',
      roleId: 'role_staff',
      active: false,
    });
    await waitFor(
      () => app.get(DirectoryReplica).member(practice, 'mbr_leaving'),
      (member) => member?.active === false,
      { description: 'the deactivation to reach the replica' },
    );
    expect(await status('get', await as('mbr_leaving'), theirs)).toBe('403 group-member-required');
    expect(await status('put', await as('mbr_leaving'), theirs)).toBe('403 group-admin-required');
    expect(eventsOf(theirs)).toEqual([]);

    expect(await status('get', await as('pat_a', practice, 'patient'))).toBe(
      '403 actor-not-allowed',
    );
    expect(await status('put', await as('sys_ehr', practice, 'system'))).toBe(
      '403 actor-not-allowed',
    );
    expect((await http().get(workflowOf(groupId))).status).toBe(401);
  });

  it("another practice's group, an unknown group and a deleted group are 404 group-not-found, even to Practice Access holders", async () => {
    const outsider = await as('mbr_other_settings', otherPractice);
    const unknown = `grp_${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`;
    const missing = await http()
      .get(workflowOf(unknown))
      .set('authorization', outsider)
      .expect(404);
    const foreign = await http()
      .get(workflowOf(groupId))
      .set('authorization', outsider)
      .expect(404);
    expect(foreign.body).toEqual({
      ...missing.body,
      detail: expect.any(String),
      instance: expect.any(String),
    });
    expect(await status('get', outsider)).toBe('404 group-not-found');
    expect(await status('put', outsider)).toBe('404 group-not-found');
    expect(await status('get', await as('mbr_settings'), unknown)).toBe('404 group-not-found');
    expect(await status('get', await as('mbr_outsider'), unknown)).toBe('404 group-not-found');

    const deleted = await createGroup();
    await http()
      .delete(`/message-groups/${deleted}`)
      .set('authorization', await as('mbr_settings'))
      .expect(204);
    expect(await status('get', await as('mbr_admin'), deleted)).toBe('404 group-not-found');
    expect(await status('put', await as('mbr_settings'), deleted)).toBe('404 group-not-found');
    expect(eventsOf(deleted)).toEqual([]);
  });
});

describe('a replacement that breaks a rule', () => {
  let groupId: string;
  let authorization: string;
  beforeAll(async () => {
    groupId = await createGroup();
    authorization = await as('mbr_admin');
    await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .send(settings())
      .expect(200);
    await untilEvents(groupId, 1);
  });

  const hours = settings().businessHours;
  const withHours = (change: Record<string, unknown>) =>
    settings({ businessHours: { ...hours, ...change } });

  const refusals: [string, unknown, number, string][] = [
    [
      'a response target of 0 seconds',
      settings({ responseTargetSeconds: 0 }),
      422,
      'response-target-out-of-range',
    ],
    [
      'a response target of 1.5 seconds',
      settings({ responseTargetSeconds: 1.5 }),
      422,
      'response-target-out-of-range',
    ],
    [
      'a response target of more than a year',
      settings({ responseTargetSeconds: 31_536_001 }),
      422,
      'response-target-out-of-range',
    ],
    [
      'a response target as the string "10"',
      settings({ responseTargetSeconds: '10' }),
      422,
      'validation-failed',
    ],
    [
      'a return to queue of 0 seconds',
      settings({ returnToQueueSeconds: 0 }),
      422,
      'return-to-queue-out-of-range',
    ],
    [
      'a return to queue of 1.5 seconds',
      settings({ returnToQueueSeconds: 1.5 }),
      422,
      'return-to-queue-out-of-range',
    ],
    [
      'a return to queue as the string "10"',
      settings({ returnToQueueSeconds: '10' }),
      422,
      'validation-failed',
    ],
    ['the time zone Mars/Base', withHours({ timeZone: 'Mars/Base' }), 422, 'unknown-time-zone'],
    [
      'a time zone in the wrong case',
      withHours({ timeZone: 'america/new_york' }),
      422,
      'unknown-time-zone',
    ],
    [
      'overlapping openings',
      withHours({
        weekly: [
          { day: 'mon', opens: '08:00', closes: '12:00' },
          { day: 'mon', opens: '11:00', closes: '13:00' },
        ],
      }),
      422,
      'openings-overlap',
    ],
    [
      'an opening closing before it opens',
      withHours({ weekly: [{ day: 'tue', opens: '17:00', closes: '09:00' }] }),
      422,
      'opening-closes-before-opens',
    ],
    [
      'a time of day that is not HH:MM',
      withHours({ weekly: [{ day: 'tue', opens: '8:00', closes: '17:00' }] }),
      422,
      'invalid-time-of-day',
    ],
    ['no opening at all', withHours({ weekly: [] }), 422, 'business-hours-never-open'],
    [
      'an unknown weekday',
      withHours({ weekly: [{ day: 'monday', opens: '08:00', closes: '17:00' }] }),
      422,
      'validation-failed',
    ],
    [
      'a closed date that does not exist',
      withHours({ closedDates: ['2026-02-30'] }),
      422,
      'invalid-closed-date',
    ],
    [
      'a closed date that is not a date',
      withHours({ closedDates: ['25/12/2026'] }),
      422,
      'invalid-closed-date',
    ],
    [
      'a closed date listed twice',
      withHours({ closedDates: ['2026-12-25', '2026-12-25'] }),
      422,
      'duplicate-closed-date',
    ],
    [
      'an acknowledgement text of 1001 characters',
      settings({ acknowledgement: { when: 'always', text: 'a'.repeat(1001) } }),
      422,
      'acknowledgement-text-too-long',
    ],
    [
      'a blank acknowledgement text',
      settings({ acknowledgement: { when: 'always', text: '   ' } }),
      422,
      'acknowledgement-text-required',
    ],
    [
      'a control character in the acknowledgement',
      settings({ acknowledgement: { when: 'always', text: 'Got\u0007it' } }),
      422,
      'acknowledgement-text-invalid-characters',
    ],
    [
      'a line break in the acknowledgement',
      settings({ acknowledgement: { when: 'always', text: 'Got it.\nThanks' } }),
      422,
      'acknowledgement-text-invalid-characters',
    ],
    [
      'NUL in the acknowledgement',
      settings({ acknowledgement: { when: 'always', text: 'Got\u0000it' } }),
      422,
      'invalid-text',
    ],
    [
      'an acknowledgement outside business hours without business hours',
      settings({ businessHours: null }),
      422,
      'acknowledgement-needs-business-hours',
    ],
    [
      'an unknown acknowledgement time',
      settings({ acknowledgement: { when: 'sometimes', text: 'Hi' } }),
      422,
      'validation-failed',
    ],
    [
      'an assignment capacity of 0',
      settings({ assignment: { mode: 'round-robin', capacity: 0 } }),
      422,
      'capacity-out-of-range',
    ],
    [
      'an assignment capacity of 1001',
      settings({ assignment: { mode: 'least-loaded', capacity: 1001 } }),
      422,
      'capacity-out-of-range',
    ],
    [
      'an assignment capacity of 1.5',
      settings({ assignment: { mode: 'round-robin', capacity: 1.5 } }),
      422,
      'capacity-out-of-range',
    ],
    [
      'an assignment capacity as the string "3"',
      settings({ assignment: { mode: 'round-robin', capacity: '3' } }),
      422,
      'validation-failed',
    ],
    [
      'an unknown assignment mode',
      settings({ assignment: { mode: 'random', capacity: null } }),
      422,
      'validation-failed',
    ],
    [
      'a capacity with assignment off',
      settings({ assignment: { mode: 'off', capacity: 5 } }),
      422,
      'capacity-needs-automatic-assignment',
    ],
    [
      'an assignment without its capacity',
      settings({ assignment: { mode: 'round-robin' } }),
      422,
      'validation-failed',
    ],
    [
      'an assignment without its mode',
      settings({ assignment: { capacity: 5 } }),
      422,
      'validation-failed',
    ],
    ['an assignment of null', settings({ assignment: null }), 422, 'validation-failed'],
    [
      'an unknown field in the assignment',
      settings({ assignment: { mode: 'round-robin', capacity: 5, weight: 2 } }),
      422,
      'validation-failed',
    ],
    ['an unknown field', settings({ isAdmin: true }), 422, 'validation-failed'],
    [
      'an unknown field in the business hours',
      withHours({ holidays: [] }),
      422,
      'validation-failed',
    ],
    [
      'an unknown field in an opening',
      withHours({ weekly: [{ day: 'mon', opens: '08:00', closes: '17:00', note: 'x' }] }),
      422,
      'validation-failed',
    ],
    [
      'a setting left out',
      { ...DEFAULTS, returnToQueueSeconds: undefined },
      422,
      'validation-failed',
    ],
    ['an empty body', {}, 422, 'validation-failed'],
    ['business hours as an array', settings({ businessHours: [hours] }), 422, 'validation-failed'],
  ];

  it.each(refusals.map(([label, body, status, code]) => [label, status, code, body] as const))(
    '%s: %d %s, nothing stored or published',
    async (_label, status, code, body) => {
      const before = eventsOf(groupId).length;
      const response = await http()
        .put(workflowOf(groupId))
        .set('authorization', authorization)
        .set('if-match', `"${before}"`)
        .send(body as object)
        .expect(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status, code });
      const read = await http()
        .get(workflowOf(groupId))
        .set('authorization', authorization)
        .expect(200);
      expect(read.body.version).toBe(before);
      expect(read.headers.etag).toBe(`"${before}"`);
      await publishedNothingSince(groupId, authorization, before);
    },
  );

  it('malformed JSON is 400 malformed-body', async () => {
    const response = await http()
      .put(workflowOf(groupId))
      .set('authorization', authorization)
      .set('content-type', 'application/json')
      .send('{"responseTargetSeconds": ')
      .expect(400);
    expect(response.body.code).toBe('malformed-body');
  });
});
