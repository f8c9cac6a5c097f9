/**
 * Routing, assignment, replies, trash and the timeline against the real
 * servers: the directory fed over Kafka (DirectoryFeed), message groups and
 * patient messages published onto their topics as group-config and the
 * intake would, every event observed on gm.threads, every permission over HTTP.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  AcknowledgementSentV1,
  buildEnvelope,
  MessageAssignedV2,
  MessageResponseOverdueV1,
  MessageRestoredV2,
  MessageRoutedV1,
  ThreadAudienceChangedV2,
  type ThreadAudienceMemberV2,
  MessageSentV1,
  MessageTrashedV1,
  MessageUnassignedV2,
  ReplySentV1,
  TOPICS,
  toWireRecord,
  type EventEnvelope,
  type MessageGroupStateV1,
} from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { OutOfOfficeReplica, SettingsReplica, WorkflowReplica } from '@gm/settings-replica';
import {
  DirectoryFeed,
  EventsOnTopic,
  monitoredUri,
  padCollections,
  QueryPlans,
  ServiceTestBed,
  TEST_JWT_SECRET,
  testInfrastructure,
  uniqueName,
  waitFor,
  type WorkflowState,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { ApplyOutOfOfficeCommand } from './application/apply-out-of-office/apply-out-of-office.command.js';
import { FireDueDeadlinesCommand } from './application/fire-due-deadlines/fire-due-deadlines.command.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';

const practice = uniqueName('prc');
const otherPractice = uniqueName('prc_other');
const PRACTICE_NAME = 'Riverside Family Practice';

/** Staff of the practice, with names that must never reach a patient. */
const STAFF = {
  admin: ['mbr_admin', 'Alice Admin'],
  userA: ['mbr_user_a', 'Umberto User'],
  userB: ['mbr_user_b', 'Ursula User'],
  care: ['mbr_care', 'Carla Care'],
  care2: ['mbr_care_2', 'Carlos Care'],
  stranger: ['mbr_stranger', 'Stan Stranger'],
  addressee: ['mbr_addressee', 'Dr. Dana Direct'],
} as const;
const id = (who: keyof typeof STAFF) => STAFF[who][0];
const patient = 'pat_ruth';

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'routing-assignment-it',
);
let app: INestApplication;
let feed: DirectoryFeed;
let threadEvents: EventsOnTopic;

const http = () => request(app.getHttpServer());
/** For what must not happen: a few rounds of the deadline timer (500 ms each). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const token = (sub: string, practiceId = practice, actor: ActorKind = 'member') =>
  mintToken(TEST_JWT_SECRET, { sub, practiceId, actor });
const as = async (sub: string, practiceId = practice) => `Bearer ${await token(sub, practiceId)}`;

// --- Message groups, as group-config publishes them ----------------------------

type GroupDraft = Pick<MessageGroupStateV1, 'name' | 'recipientMode' | 'members'>;
/** Every name a group of the practice has had. */
const groupNames = new Set<string>();

/** Publishes the group and waits until the service's settings replica holds this version. */
async function group(draft: GroupDraft, groupId = uniqueName('grp')): Promise<string> {
  groupNames.add(draft.name);
  const version = await bed.settings(practice).group({ groupId, ...draft });
  await waitFor(
    () => app.get(SettingsReplica).group(practice, groupId),
    (held) => held?.version === version,
    { description: `group ${draft.name} v${version} in the settings replica` },
  );
  return groupId;
}

const billingDraft = (name = uniqueName('Billing Team')): GroupDraft => ({
  name,
  recipientMode: 'specific-members',
  members: [
    { memberId: id('admin'), privilege: 'admin' },
    { memberId: id('userA'), privilege: 'user' },
    { memberId: id('userB'), privilege: 'user' },
  ],
});

const careDraft = (name = uniqueName('Care Coordination')): GroupDraft => ({
  name,
  recipientMode: 'care-team',
  members: [{ memberId: id('admin'), privilege: 'admin' }],
});

// --- Patient messages, as the intake publishes them ----------------------------

async function publishMessage(envelope: EventEnvelope<MessageSentV1>): Promise<void> {
  await bed.producer.send({
    topic: TOPICS.patientMessages.name,
    acks: -1,
    messages: [toWireRecord(envelope)],
  });
}

function messageEnvelope(fields: Partial<MessageSentV1>): EventEnvelope<MessageSentV1> {
  const sentAt = new Date().toISOString();
  const data: MessageSentV1 = {
    practiceId: practice,
    threadId: uniqueName('thr'),
    messageId: uniqueName('msg'),
    patientId: patient,
    recipientKind: 'group',
    groupId: null,
    memberId: null,
    subject: 'About my bill',
    body: 'I was charged twice for my visit.',
    followUp: false,
    threadVersion: 1,
    sentAt,
    ...fields,
  };
  return buildEnvelope(MessageSentV1, data, {
    id: randomUUID(),
    source: '/tests/messaging-intake',
    time: sentAt,
    practiceId: practice,
    correlationId: randomUUID(),
  });
}

const toGroup = (groupId: string): Partial<MessageSentV1> => ({ recipientKind: 'group', groupId });
const toMember = (memberId: string): Partial<MessageSentV1> => ({
  recipientKind: 'member',
  memberId,
});

/** Events of one type about one thread, once at least `count` have been observed on gm.threads. */
function observed<T>(type: string, threadId: string, count = 1): Promise<EventEnvelope<T>[]> {
  return waitFor(
    async () => threadEvents.ofType(type, threadId) as EventEnvelope<T>[],
    (events) => events.length >= count,
    { description: `${count} × ${type} of ${threadId} on gm.threads` },
  );
}

/** The patient's second message in the thread. */
const followUpTo = (groupId: string, threadId: string) =>
  messageEnvelope({ ...toGroup(groupId), threadId, followUp: true, threadVersion: 2 });

/** The kinds of the thread's timeline once its follow-up shows (one partition per thread: every delivery before it was handled). */
async function kindsOnceFollowedUp(threadId: string): Promise<string[]> {
  const view = await waitFor(
    () => timeline(threadId),
    (body) => body.entries.some((e: { kind: string }) => e.kind === 'follow-up'),
    { description: 'the follow-up in the timeline' },
  );
  return view.entries.map((e: { kind: string }) => e.kind);
}

/** Sends a first message and waits for its MessageRouted. */
async function thread(to: Partial<MessageSentV1>, fields: Partial<MessageSentV1> = {}) {
  const envelope = messageEnvelope({ ...to, ...fields });
  await publishMessage(envelope);
  const [routed] = await observed<MessageRoutedV1>(MessageRoutedV1.type, envelope.data.threadId);
  return { threadId: envelope.data.threadId, routed: routed!, envelope };
}

const post = async (path: string, who: string, body?: object, practiceId = practice) =>
  http()
    .post(path)
    .set('authorization', await as(who, practiceId))
    .send(body ?? {});

const assign = (threadId: string, who: string, assigneeMemberId: string) =>
  post(`/threads/${threadId}/assignment`, who, { assigneeMemberId });

async function timeline(threadId: string, who = id('admin')) {
  return (
    await http()
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await as(who))
      .expect(200)
  ).body;
}

type Audience = [string, ThreadAudienceMemberV2['reason']][];
/** Waits until the newest published audience of the thread is `expected`. */
async function audienceIs(threadId: string, expected: Audience) {
  const events = await waitFor(
    async () =>
      threadEvents.ofType(
        ThreadAudienceChangedV2.type,
        threadId,
      ) as EventEnvelope<ThreadAudienceChangedV2>[],
    (found) => {
      const latest = found.sort((a, b) => b.data.audienceVersion - a.data.audienceVersion)[0];
      return (
        JSON.stringify(latest?.data.members.map((m) => [m.memberId, m.reason])) ===
        JSON.stringify(expected)
      );
    },
    { description: `audience of ${threadId}: ${JSON.stringify(expected)}` },
  );
  const versions = events.map((e) => e.data.audienceVersion).sort((a, b) => a - b);
  expect(versions).toEqual(versions.map((_, i) => i + 1)); // one event per change, numbered
  return events;
}

// --- Setup -------------------------------------------------------------------

beforeAll(async () => {
  await bed.connect();
  feed = bed.directory(practice);
  await feed.practice({ name: PRACTICE_NAME, plan: 'paid' });
  await feed.role({ roleId: 'role_staff', name: 'Staff', privileges: [] });
  for (const [memberId, displayName] of Object.values(STAFF)) {
    await feed.member({ memberId, displayName, roleId: 'role_staff', active: true });
  }
  await feed.patient({
    patientId: patient,
    displayName: 'Ruth Patient',
    facilityId: null,
    categoryIds: [],
    careTeamMemberIds: [id('care'), id('care2')],
    active: true,
  });
  // Another practice whose Admin has the same member id as ours.
  const other = bed.directory(otherPractice);
  await other.practice({ name: 'Elsewhere Clinic', plan: 'paid' });
  await other.member({
    memberId: id('admin'),
    displayName: 'Olga Other',
    roleId: null,
    active: true,
  });

  // Its own client reports its commands: the hot-query plans at the end explain what it sent.
  app = await bed.start({ MONGODB_URI: monitoredUri(testInfrastructure().mongoUri) });
  threadEvents = await bed.observe(TOPICS.threads.name, practice);

  const directory = app.get(DirectoryReplica);
  const staffIds = Object.values(STAFF).map(([memberId]) => memberId);
  await bed.untilReplicated(
    () => [
      directory.practice(practice),
      directory.patient(practice, patient),
      directory.members(practice, staffIds).then((found) => found.length === staffIds.length),
      directory.member(otherPractice, id('admin')),
    ],
    { timeoutMs: 60000, description: 'the directory replica to catch up' },
  );
});

afterAll(() => bed.stop());

afterEach(() => {
  expect(threadEvents.invalid).toEqual([]);
});

// --- Routing -------------------------------------------------------------------

describe('routing', () => {
  it('routes each kind of thread with one schema-valid MessageRouted keyed by the thread id', async () => {
    const billing = await group(billingDraft());
    const care = await group(careDraft());

    const specific = await thread(toGroup(billing));
    const careTeam = await thread(toGroup(care));
    const direct = await thread(toMember(id('addressee')));

    const common = { practiceId: practice, patientId: patient, threadVersion: 1 };
    expect(specific.routed.data).toMatchObject({
      ...common,
      threadId: specific.threadId,
      routing: 'specific-members',
      groupId: billing,
      memberId: null,
    });
    expect(careTeam.routed.data).toMatchObject({
      ...common,
      threadId: careTeam.threadId,
      routing: 'care-team',
      groupId: care,
      memberId: null,
    });
    expect(direct.routed.data).toMatchObject({
      ...common,
      threadId: direct.threadId,
      routing: 'direct',
      groupId: null,
      memberId: id('addressee'),
    });
    for (const { threadId, routed, envelope } of [specific, careTeam, direct]) {
      // EventsOnTopic validated each record against its schema, and its key against the thread id.
      expect(routed.subject).toBe(threadId);
      expect(routed.source).toBe('/services/routing-assignment');
      expect(routed.causationId).toBe(envelope.id);
      expect(JSON.stringify(routed.data)).not.toContain(envelope.data.body);
    }

    // Specific Members: unassigned, seen by the Admins only until assigned.
    expect((await timeline(specific.threadId)).assigneeMemberId).toBeNull();
    const userReply = await post(`/threads/${specific.threadId}/replies`, id('userA'), {
      body: 'Hi',
    });
    expect(userReply.status).toBe(403);
  });

  it('routes a message once however often it is delivered', async () => {
    const billing = await group(billingDraft());
    const first = messageEnvelope(toGroup(billing));
    const { threadId } = first.data;
    await publishMessage(first);
    await publishMessage(first); // the same event again
    await publishMessage({ ...first, id: randomUUID() }); // the same message under a new event id
    const followUp = followUpTo(billing, threadId);
    await publishMessage(followUp);
    await publishMessage({ ...followUp, id: randomUUID() });

    expect(await kindsOnceFollowedUp(threadId)).toEqual(['sent', 'routed', 'follow-up']);
    expect(threadEvents.ofType(MessageRoutedV1.type, threadId)).toHaveLength(1);
  });

  it('opens a burst of threads once each, with their audiences, follow-ups and repeats among them', async () => {
    const billing = await group(billingDraft());
    const firsts = Array.from({ length: 20 }, () => messageEnvelope(toGroup(billing)));
    const repeated = firsts[3]!;
    const followed = firsts[7]!.data.threadId;
    const followUp = followUpTo(billing, followed);
    // One request: each partition's consumer fetches its share together.
    await bed.producer.send({
      topic: TOPICS.patientMessages.name,
      acks: -1,
      messages: [
        ...firsts,
        { ...repeated, id: randomUUID() }, // the same message under a new event id
        followUp,
        repeated,
      ].map((e) => toWireRecord(e)),
    });

    for (const { data } of firsts) {
      await observed(MessageRoutedV1.type, data.threadId);
      await observed(ThreadAudienceChangedV2.type, data.threadId);
    }
    expect(await kindsOnceFollowedUp(followed)).toEqual(['sent', 'routed', 'follow-up']);
    for (const { data } of firsts) {
      expect(threadEvents.ofType(MessageRoutedV1.type, data.threadId)).toHaveLength(1);
      expect(threadEvents.ofType(ThreadAudienceChangedV2.type, data.threadId)).toHaveLength(1);
    }
  });

  it('keeps a message to a group not known yet waiting, holds up nothing else, and routes it when the group arrives', async () => {
    const lateGroup = uniqueName('grp_late');
    const early = messageEnvelope(toGroup(lateGroup));
    await publishMessage(early);
    // Another message after it is routed meanwhile: the consumer is not blocked.
    await thread(toMember(id('addressee')));
    expect(threadEvents.ofType(MessageRoutedV1.type, early.data.threadId)).toEqual([]);
    const waiting = await http()
      .get(`/threads/${early.data.threadId}/timeline`)
      .set('authorization', await as(id('admin')));
    expect(waiting.status).toBe(404);

    await group(careDraft(), lateGroup);
    const [routed] = await observed<MessageRoutedV1>(MessageRoutedV1.type, early.data.threadId);
    expect(routed!.data).toMatchObject({
      routing: 'care-team',
      groupId: lateGroup,
      threadVersion: 1,
    });
  });
});

// --- The permission matrix over HTTP ----------------------------------------

interface Attempt {
  who: string;
  action: string;
  status: number;
  code?: string;
}

async function attempt(
  label: string,
  action: string,
  call: () => Promise<request.Response>,
): Promise<Attempt> {
  const response = await call();
  if (response.status >= 400) {
    expect(response.headers['content-type']).toContain('application/problem+json');
  }
  return {
    who: label,
    action,
    status: response.status,
    ...(response.status >= 400 ? { code: response.body.code } : {}),
  };
}

const NF = { status: 404, code: 'thread-not-found' };
const NGA = { status: 403, code: 'not-group-admin' };
const ACTOR = { status: 403, code: 'actor-not-allowed' };

describe('who may assign, reply and trash', () => {
  /** Runs each action as each caller, in order, and returns what happened. */
  async function run(
    threadId: string,
    rows: [label: string, sub: string, practiceId: string, actor: ActorKind][],
    action: 'assign' | 'reply' | 'trash' | 'restore' | 'timeline',
    assignee = id('userB'),
  ): Promise<Attempt[]> {
    const results: Attempt[] = [];
    for (const [label, sub, practiceId, actor] of rows) {
      const authorization = `Bearer ${await token(sub, practiceId, actor)}`;
      const path = `/threads/${threadId}`;
      const send = {
        assign: () =>
          http()
            .post(`${path}/assignment`)
            .set('authorization', authorization)
            .send({ assigneeMemberId: assignee }),
        reply: () =>
          http()
            .post(`${path}/replies`)
            .set('authorization', authorization)
            .send({ body: `Answer from ${label}` }),
        trash: () => http().post(`${path}/trash`).set('authorization', authorization),
        restore: () => http().post(`${path}/restore`).set('authorization', authorization),
        timeline: () => http().get(`${path}/timeline`).set('authorization', authorization),
      }[action];
      results.push(await attempt(label, action, send));
    }
    return results;
  }

  const expected = (action: string, rows: [string, { status: number; code?: string }][]) =>
    rows.map(([who, outcome]) => ({ who, action, ...outcome }));

  const refusing = [
    ['User who is the assignee', id('userA'), practice, 'member'],
    ['User who is not the assignee', id('userB'), practice, 'member'],
    ["patient's care-team member", id('care'), practice, 'member'],
    ['non-member', id('stranger'), practice, 'member'],
    [
      'member of another practice (same member id as the Admin)',
      id('admin'),
      otherPractice,
      'member',
    ],
    ['patient', patient, practice, 'patient'],
  ] as [string, string, string, ActorKind][];
  const admin: [string, string, string, ActorKind] = ['Admin', id('admin'), practice, 'member'];

  it('on a Specific Members thread', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    expect((await assign(threadId, id('admin'), id('userA'))).status).toBe(200);

    const results = [
      ...(await run(threadId, refusing, 'assign')),
      ...(await run(threadId, [...refusing, admin], 'reply')),
      ...(await run(threadId, refusing, 'trash')),
      ...(await run(threadId, refusing, 'timeline')),
      ...(await run(threadId, [admin], 'trash')),
      ...(await run(threadId, [...refusing, admin], 'restore')),
      ...(await run(threadId, [admin], 'assign')),
    ];
    expect(results).toEqual([
      ...expected('assign', [
        ['User who is the assignee', NGA],
        ['User who is not the assignee', NGA],
        ["patient's care-team member", NF],
        ['non-member', NF],
        ['member of another practice (same member id as the Admin)', NF],
        ['patient', ACTOR],
      ]),
      ...expected('reply', [
        ['User who is the assignee', { status: 202 }],
        ['User who is not the assignee', { status: 403, code: 'reply-not-allowed' }],
        ["patient's care-team member", NF],
        ['non-member', NF],
        ['member of another practice (same member id as the Admin)', NF],
        ['patient', ACTOR],
        ['Admin', { status: 202 }],
      ]),
      ...expected('trash', [
        ['User who is the assignee', NGA],
        ['User who is not the assignee', NGA],
        ["patient's care-team member", NF],
        ['non-member', NF],
        ['member of another practice (same member id as the Admin)', NF],
        ['patient', ACTOR],
      ]),
      ...expected('timeline', [
        ['User who is the assignee', NGA],
        ['User who is not the assignee', NGA],
        ["patient's care-team member", NF],
        ['non-member', NF],
        ['member of another practice (same member id as the Admin)', NF],
        ['patient', ACTOR],
      ]),
      ...expected('trash', [['Admin', { status: 200 }]]),
      ...expected('restore', [
        ['User who is the assignee', NGA],
        ['User who is not the assignee', NGA],
        ["patient's care-team member", NF],
        ['non-member', NF],
        ['member of another practice (same member id as the Admin)', NF],
        ['patient', ACTOR],
        ['Admin', { status: 200 }],
      ]),
      ...expected('assign', [['Admin', { status: 200 }]]),
    ]);

    // Another practice's member learns exactly what a missing thread would tell.
    const foreign = await post(
      `/threads/${threadId}/replies`,
      id('admin'),
      { body: 'x' },
      otherPractice,
    );
    const missing = await post(`/threads/${uniqueName('thr')}/replies`, id('admin'), { body: 'x' });
    expect({ ...foreign.body, detail: null, instance: null }).toEqual({
      ...missing.body,
      detail: null,
      instance: null,
    });
  });

  it('on an In-house Care Team thread', async () => {
    const care = await group(careDraft());
    const { threadId } = await thread(toGroup(care));
    expect((await assign(threadId, id('admin'), id('care2'))).status).toBe(200);

    const careRows = [
      ['care-team member who is the assignee', id('care2'), practice, 'member'],
      ['care-team member who is not the assignee', id('care'), practice, 'member'],
      ['User of another group', id('userA'), practice, 'member'],
      ['non-member', id('stranger'), practice, 'member'],
      ['member of another practice', id('admin'), otherPractice, 'member'],
      ['patient', patient, practice, 'patient'],
    ] as [string, string, string, ActorKind][];
    const results = [
      ...(await run(threadId, careRows, 'assign', id('care'))),
      ...(await run(threadId, careRows, 'reply')),
      ...(await run(threadId, careRows, 'trash')),
      ...(await run(threadId, [admin], 'reply')),
      ...(await run(threadId, [admin], 'assign', id('care'))),
      ...(await run(threadId, [admin], 'trash')),
    ];
    const others: [string, { status: number; code?: string }][] = [
      ['User of another group', NF],
      ['non-member', NF],
      ['member of another practice', NF],
      ['patient', ACTOR],
    ];
    expect(results).toEqual([
      ...expected('assign', [
        ['care-team member who is the assignee', NGA],
        ['care-team member who is not the assignee', NGA],
        ...others,
      ]),
      ...expected('reply', [
        ['care-team member who is the assignee', { status: 202 }],
        ['care-team member who is not the assignee', { status: 202 }],
        ...others,
      ]),
      ...expected('trash', [
        ['care-team member who is the assignee', NGA],
        ['care-team member who is not the assignee', NGA],
        ...others,
      ]),
      ...expected('reply', [['Admin', { status: 202 }]]),
      ...expected('assign', [['Admin', { status: 200 }]]),
      ...expected('trash', [['Admin', { status: 200 }]]),
    ]);
  });

  it('on a direct message', async () => {
    const { threadId } = await thread(toMember(id('addressee')));
    const rows = [
      ['addressee', id('addressee'), practice, 'member'],
      ['an Admin of a group', id('admin'), practice, 'member'],
      ['non-member', id('stranger'), practice, 'member'],
      ['patient', patient, practice, 'patient'],
    ] as [string, string, string, ActorKind][];
    const results = [
      ...(await run(threadId, rows, 'assign', id('addressee'))),
      ...(await run(threadId, rows, 'reply')),
      ...(await run(threadId, rows, 'trash')),
    ];
    const others: [string, { status: number; code?: string }][] = [
      ['an Admin of a group', NF],
      ['non-member', NF],
      ['patient', ACTOR],
    ];
    expect(results).toEqual([
      ...expected('assign', [
        ['addressee', { status: 409, code: 'direct-message-not-assignable' }],
        ...others,
      ]),
      ...expected('reply', [['addressee', { status: 202 }], ...others]),
      ...expected('trash', [['addressee', { status: 200 }], ...others]),
    ]);
  });
});

// --- Assignment ------------------------------------------------------------------

describe('assignment', () => {
  it('publishes MessageAssigned with the previous assignee, and nothing for the same assignee again', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    expect((await assign(threadId, id('admin'), id('userA'))).body).toEqual({
      threadId,
      version: 2,
    });
    expect((await assign(threadId, id('admin'), id('userB'))).body.version).toBe(3);
    const again = await assign(threadId, id('admin'), id('userB'));
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(3);
    expect((await assign(threadId, id('admin'), id('admin'))).body.version).toBe(4);

    for (const invalid of [id('stranger'), id('care'), 'mbr_unknown']) {
      const refused = await assign(threadId, id('admin'), invalid);
      expect([refused.status, refused.body.code]).toEqual([422, 'invalid-assignee']);
    }

    const events = await observed<MessageAssignedV2>(MessageAssignedV2.type, threadId, 3);
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        assigneeMemberId: id('userA'),
        previousAssigneeMemberId: null,
        assignedByMemberId: id('admin'),
        how: 'manual',
        groupId: billing,
        threadVersion: 2,
      }),
      expect.objectContaining({
        assigneeMemberId: id('userB'),
        previousAssigneeMemberId: id('userA'),
        threadVersion: 3,
      }),
      expect.objectContaining({
        assigneeMemberId: id('admin'),
        previousAssigneeMemberId: id('userB'),
        threadVersion: 4,
      }),
    ]);
    // The reassigned User lost the thread at once.
    const formerAssignee = await post(`/threads/${threadId}/replies`, id('userA'), { body: 'x' });
    expect([formerAssignee.status, formerAssignee.body.code]).toEqual([403, 'reply-not-allowed']);
  });

  it('takes the thread from an assignee who is deactivated (member-deactivated)', async () => {
    const [memberId, displayName] = [uniqueName('mbr_temp'), 'Tess Temporary'];
    await feed.member({ memberId, displayName, roleId: 'role_staff', active: true });
    await waitFor(
      () => app.get(DirectoryReplica).member(practice, memberId),
      (member) => member !== null,
      { description: 'the new member in the replica' },
    );
    const draft = billingDraft();
    const groupId = await group({
      ...draft,
      members: [...draft.members, { memberId, privilege: 'user' }],
    });
    const { threadId } = await thread(toGroup(groupId));
    expect((await assign(threadId, id('admin'), memberId)).status).toBe(200);

    await feed.member({ memberId, displayName, roleId: 'role_staff', active: false });
    const [unassigned] = await observed<MessageUnassignedV2>(MessageUnassignedV2.type, threadId);
    expect(unassigned!.data).toMatchObject({
      previousAssigneeMemberId: memberId,
      reason: 'member-deactivated',
      groupId,
      threadVersion: 3,
    });
    const view = await timeline(threadId);
    expect(view.assigneeMemberId).toBeNull();
    expect(view.entries.at(-1)).toMatchObject({
      kind: 'unassigned',
      actor: { kind: 'system', id: null },
      details: { previousAssigneeMemberId: memberId, reason: 'member-deactivated' },
    });
  });

  it('takes the thread from an assignee removed from the group (member-removed-from-group)', async () => {
    const draft = billingDraft();
    const groupId = await group(draft);
    const { threadId } = await thread(toGroup(groupId));
    const other = await thread(toGroup(groupId));
    expect((await assign(threadId, id('admin'), id('userB'))).status).toBe(200);
    expect((await assign(other.threadId, id('admin'), id('userA'))).status).toBe(200);

    await group(
      { ...draft, members: draft.members.filter((m) => m.memberId !== id('userB')) },
      groupId,
    );
    const [unassigned] = await observed<MessageUnassignedV2>(MessageUnassignedV2.type, threadId);
    expect(unassigned!.data).toMatchObject({
      previousAssigneeMemberId: id('userB'),
      reason: 'member-removed-from-group',
    });
    // The other thread's assignee is still in the group and keeps it.
    expect((await timeline(other.threadId)).assigneeMemberId).toBe(id('userA'));
    expect(threadEvents.ofType(MessageUnassignedV2.type, other.threadId)).toEqual([]);
  });

  it("takes a care-team thread from an assignee who leaves the patient's care team (care-team-changed)", async () => {
    const patientId = uniqueName('pat');
    const patientState = {
      patientId,
      displayName: 'Paula Patient',
      facilityId: null,
      categoryIds: [],
      active: true,
    };
    await feed.patient({ ...patientState, careTeamMemberIds: [id('care')] });
    await waitFor(
      () => app.get(DirectoryReplica).patient(practice, patientId),
      (p) => p !== null,
      { description: 'the patient in the replica' },
    );
    const care = await group(careDraft());
    const { threadId } = await thread(toGroup(care), { patientId });
    expect((await assign(threadId, id('admin'), id('care'))).status).toBe(200);

    await feed.patient({ ...patientState, careTeamMemberIds: [id('care2')] });
    const [unassigned] = await observed<MessageUnassignedV2>(MessageUnassignedV2.type, threadId);
    expect(unassigned!.data).toMatchObject({
      previousAssigneeMemberId: id('care'),
      reason: 'care-team-changed',
    });
    // The new care team sees the thread; the former member does not.
    const former = await post(`/threads/${threadId}/replies`, id('care'), { body: 'x' });
    expect(former.status).toBe(404);
    expect((await post(`/threads/${threadId}/replies`, id('care2'), { body: 'x' })).status).toBe(
      202,
    );
  });
});

// --- Replies -----------------------------------------------------------------------

describe('replies', () => {
  it("reach the patient under the group's current name; the member only in the internal trail", async () => {
    const draft = billingDraft();
    const groupId = await group(draft);
    const { threadId } = await thread(toGroup(groupId));
    expect((await assign(threadId, id('admin'), id('userA'))).status).toBe(200);

    const accepted = await post(`/threads/${threadId}/replies`, id('userA'), {
      body: 'We refunded the second charge.',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ threadId, replyId: expect.any(String), version: 3 });

    const renamed = uniqueName('Billing & Payments');
    await group({ ...draft, name: renamed }, groupId);
    expect(
      (await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Anything else?' })).status,
    ).toBe(202);

    const replies = await observed<ReplySentV1>(ReplySentV1.type, threadId, 2);
    expect(replies.map((e) => e.data)).toEqual([
      expect.objectContaining({
        replyId: accepted.body.replyId,
        senderDisplayName: draft.name,
        repliedByMemberId: id('userA'),
        body: 'We refunded the second charge.',
        threadVersion: 3,
      }),
      expect.objectContaining({
        senderDisplayName: renamed,
        repliedByMemberId: id('admin'),
        threadVersion: 4,
      }),
    ]);
    expect((await timeline(threadId)).status).toBe('replied');
  });

  it("answer a direct message under the practice's name", async () => {
    const { threadId } = await thread(toMember(id('addressee')));
    expect(
      (await post(`/threads/${threadId}/replies`, id('addressee'), { body: 'See you Monday.' }))
        .status,
    ).toBe(202);
    const [reply] = await observed<ReplySentV1>(ReplySentV1.type, threadId);
    expect(reply!.data).toMatchObject({
      senderDisplayName: PRACTICE_NAME,
      repliedByMemberId: id('addressee'),
      groupId: null,
    });
  });

  it('refuse a body that is empty, too long or not plain text', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    const cases: [object, number, string][] = [
      [{ body: '' }, 422, 'invalid-reply'],
      [{ body: '   ' }, 422, 'invalid-reply'],
      [{ body: 'bell\u0007' }, 422, 'invalid-reply'],
      [{ body: 'x'.repeat(20001) }, 422, 'reply-too-long'],
      [{}, 422, 'validation-failed'],
      [{ body: 'ok', senderDisplayName: 'Dr. Who' }, 422, 'validation-failed'],
    ];
    for (const [body, status, code] of cases) {
      const response = await post(`/threads/${threadId}/replies`, id('admin'), body);
      expect([response.status, response.body.code]).toEqual([status, code]);
    }
    expect(
      (await post(`/threads/${threadId}/replies`, id('admin'), { body: 'x'.repeat(20000) })).status,
    ).toBe(202);
  });

  it('refuse a reply written on a stale view (If-Match), sending nothing, and say what landed', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    const replyAs = async (who: string, ifMatch: string, body: string) =>
      http()
        .post(`/threads/${threadId}/replies`)
        .set('authorization', await as(who))
        .set('if-match', ifMatch)
        .send({ body });
    // The Admin and the assignee open the thread at "m1r0" (an assignment makes no reply stale).
    expect((await assign(threadId, id('admin'), id('userA'))).status).toBe(200);
    const first = await replyAs(id('admin'), '"m1r0"', 'We refunded it.');
    expect(first.status).toBe(202);
    const stale = await replyAs(id('userA'), '"m1r0"', 'Refund on its way.');
    expect(stale.status).toBe(409);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect(stale.body).toMatchObject({
      code: 'thread-changed',
      changes: {
        patientMessages: [],
        replies: [{ replyId: first.body.replyId, repliedByMemberId: id('admin') }],
      },
    });
    // The patient writes again: a reply on the view before it is refused too.
    const followUp = followUpTo(billing, threadId);
    await publishMessage(followUp);
    await kindsOnceFollowedUp(threadId);
    expect((await replyAs(id('admin'), '"m1r1"', 'Anything else?')).body).toMatchObject({
      code: 'thread-changed',
      changes: { patientMessages: [{ messageId: followUp.data.messageId }], replies: [] },
    });
    expect((await replyAs(id('userA'), 'm2r1', 'Seen it.')).status).toBe(202);
    for (const bad of ['"3"', 'W/"m2r1"', '*', '2-1', 'mxry', '"m2r1", "m2r2"']) {
      expect((await replyAs(id('admin'), bad, 'x')).body.code).toBe('invalid-if-match');
    }
    // Without If-Match, today's behaviour: the reply goes.
    expect((await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Bye.' })).status).toBe(
      202,
    );
    const sent = await observed<ReplySentV1>(ReplySentV1.type, threadId, 3);
    expect(sent.map((e) => e.data.body)).toEqual(['We refunded it.', 'Seen it.', 'Bye.']);
  });

  it('go Not Replied again when the patient follows up', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Done.' });
    expect((await timeline(threadId)).status).toBe('replied');

    const followUp = messageEnvelope({
      ...toGroup(billing),
      threadId,
      followUp: true,
      threadVersion: 2,
      body: 'It happened again.',
    });
    await publishMessage(followUp);
    const view = await waitFor(
      () => timeline(threadId),
      (body) => body.status === 'not-replied',
      { description: 'the thread to be Not Replied again' },
    );
    expect(view.entries.at(-1)).toMatchObject({
      kind: 'follow-up',
      actor: { kind: 'patient', id: patient, displayName: 'Ruth Patient' },
      at: followUp.data.sentAt,
      details: { messageId: followUp.data.messageId, intakeThreadVersion: 2 },
    });
    expect(JSON.stringify(view)).not.toContain('It happened again.');
  });
});

// --- Trash ---------------------------------------------------------------------------

describe('trash', () => {
  it('moves a thread to Trash and back with an event each, and refuses what does not apply', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    const codeOf = async (response: Promise<request.Response>) => {
      const { status, body } = await response;
      return [status, body.code];
    };

    expect((await post(`/threads/${threadId}/trash`, id('admin'))).body).toEqual({
      threadId,
      version: 2,
    });
    expect(await codeOf(post(`/threads/${threadId}/trash`, id('admin')))).toEqual([
      409,
      'already-in-trash',
    ]);
    expect(await codeOf(post(`/threads/${threadId}/replies`, id('admin'), { body: 'x' }))).toEqual([
      409,
      'thread-in-trash',
    ]);
    expect(await codeOf(assign(threadId, id('admin'), id('userA')))).toEqual([
      409,
      'thread-in-trash',
    ]);
    expect((await post(`/threads/${threadId}/restore`, id('admin'))).body.version).toBe(3);
    expect(await codeOf(post(`/threads/${threadId}/restore`, id('admin')))).toEqual([
      409,
      'not-in-trash',
    ]);

    const [trashed] = await observed<MessageTrashedV1>(MessageTrashedV1.type, threadId);
    const [restored] = await observed<MessageRestoredV2>(MessageRestoredV2.type, threadId);
    expect(trashed!.data).toMatchObject({ byMemberId: id('admin'), threadVersion: 2 });
    expect(restored!.data).toMatchObject({
      byMemberId: id('admin'),
      reason: 'member-restored',
      messageId: null,
      threadVersion: 3,
    });
  });

  it('takes a thread out of Trash when the patient writes again, saying why, once', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Done.' });
    expect((await post(`/threads/${threadId}/trash`, id('admin'))).status).toBe(200);

    const followUp = followUpTo(billing, threadId);
    await publishMessage(followUp);
    await publishMessage(followUp); // a redelivery restores nothing more
    const [restored] = await observed<MessageRestoredV2>(MessageRestoredV2.type, threadId);
    expect(restored!.data).toMatchObject({
      byMemberId: null,
      reason: 'patient-follow-up',
      messageId: followUp.data.messageId,
      threadVersion: 4,
    });
    const view = await timeline(threadId);
    expect({ status: view.status, trashed: view.trashed }).toEqual({
      status: 'not-replied',
      trashed: false,
    });
    expect(view.entries.slice(-2)).toMatchObject([
      { kind: 'follow-up', details: { messageId: followUp.data.messageId } },
      {
        kind: 'restored',
        actor: { kind: 'system' },
        details: { reason: 'patient-follow-up', messageId: followUp.data.messageId },
      },
    ]);
    expect(threadEvents.ofType(MessageRestoredV2.type, threadId)).toHaveLength(1);
  });
});

// --- The timeline and what patients can read ---------------------------------------

describe('the progress timeline', () => {
  it('tells Admins who did what and when, in order', async () => {
    const billing = await group(billingDraft());
    const { threadId, envelope } = await thread(toGroup(billing));
    await assign(threadId, id('admin'), id('userA'));
    await post(`/threads/${threadId}/replies`, id('userA'), { body: 'On it.' });
    await post(`/threads/${threadId}/trash`, id('admin'));
    await post(`/threads/${threadId}/restore`, id('admin'));

    const view = await timeline(threadId);
    expect(view).toMatchObject({
      threadId,
      patientId: patient,
      routing: 'specific-members',
      groupId: billing,
      status: 'replied',
      trashed: false,
      assigneeMemberId: id('userA'),
      version: 5,
    });
    expect(
      view.entries.map((e: { kind: string; actor: { id: string | null } }) => [e.kind, e.actor.id]),
    ).toEqual([
      ['sent', patient],
      ['routed', null],
      ['assigned', id('admin')],
      ['replied', id('userA')],
      ['trashed', id('admin')],
      ['restored', id('admin')],
    ]);
    expect(view.entries[0].at).toBe(envelope.data.sentAt);
    expect(view.entries[3].actor.displayName).toBe('Umberto User');
    expect(view.memberNames).toMatchObject({ [id('admin')]: 'Alice Admin' });
    expect(JSON.stringify(view)).not.toContain('On it.');
  });
});

describe('what a patient can read', () => {
  it('never names a member nor carries a member id as the sender of a reply', async () => {
    const replies = threadEvents.ofType(ReplySentV1.type) as EventEnvelope<ReplySentV1>[];
    expect(replies.length).toBeGreaterThan(5);
    const staff = Object.values(STAFF).flat();
    for (const { data } of replies) {
      expect([...groupNames, PRACTICE_NAME]).toContain(data.senderDisplayName);
      for (const identity of staff) expect(data.senderDisplayName).not.toContain(identity);
    }
  });
});

describe('the thread audience (ThreadAudienceChanged)', () => {
  it('follows routing and reassignment, and a User removed from the group', async () => {
    const billing = await group(billingDraft());
    const { threadId } = await thread(toGroup(billing));
    const { threadId: untouched } = await thread(toGroup(billing));
    const [first] = await audienceIs(threadId, [[id('admin'), 'admin']]);
    expect(first!.data).toMatchObject({
      practiceId: practice,
      threadId,
      groupId: billing,
      patientId: patient,
    });
    await assign(threadId, id('admin'), id('userA'));
    await audienceIs(threadId, [
      [id('admin'), 'admin'],
      [id('userA'), 'assignee'],
    ]);
    await assign(threadId, id('admin'), id('userB'));
    await audienceIs(threadId, [
      [id('admin'), 'admin'],
      [id('userB'), 'assignee'],
    ]);
    const draft = billingDraft();
    await group(
      { ...draft, members: draft.members.filter((m) => m.memberId !== id('userB')) },
      billing,
    );
    await audienceIs(threadId, [[id('admin'), 'admin']]);
    // The removal was decided for every thread of the group at once; the one userB never held is not written again.
    expect(await audienceIs(untouched, [[id('admin'), 'admin']])).toHaveLength(1);
  });

  const careTeam = (careTeamMemberIds: string[]) =>
    feed.patient({
      patientId: patient,
      displayName: 'Ruth Patient',
      facilityId: null,
      categoryIds: [],
      careTeamMemberIds,
      active: true,
    });

  it("follows the patient's care team, and a deleted group", async () => {
    const careName = uniqueName('Care Coordination');
    const care = await group(careDraft(careName));
    const { threadId } = await thread(toGroup(care));
    await audienceIs(threadId, [
      [id('admin'), 'admin'],
      [id('care'), 'care-team'],
      [id('care2'), 'care-team'],
    ]);
    await careTeam([id('care')]);
    await audienceIs(threadId, [
      [id('admin'), 'admin'],
      [id('care'), 'care-team'],
    ]);
    await careTeam([id('care'), id('care2')]);
    await audienceIs(threadId, [
      [id('admin'), 'admin'],
      [id('care'), 'care-team'],
      [id('care2'), 'care-team'],
    ]);
    await bed.settings(practice).deleteGroup(care, careName);
    await audienceIs(threadId, []);
  });

  it('follows a deactivation and a reactivation of the addressee of a direct message', async () => {
    const { threadId } = await thread(toMember(id('addressee')));
    await audienceIs(threadId, [[id('addressee'), 'addressee']]);
    const [memberId, displayName] = STAFF.addressee;
    await feed.member({ memberId, displayName, roleId: 'role_staff', active: false });
    await audienceIs(threadId, []);
    await feed.member({ memberId, displayName, roleId: 'role_staff', active: true });
    await audienceIs(threadId, [[id('addressee'), 'addressee']]);
  });
});

describe('team workflow: response target, acknowledgement, return to queue', () => {
  /** A Billing-like group with these workflow settings, once the service's replica holds them. */
  async function workflowGroup(settings: Omit<WorkflowState, 'groupId'>) {
    const name = uniqueName('Billing Team');
    const groupId = await group(billingDraft(name));
    const version = await bed.settings(practice).workflow({ groupId, ...settings });
    await waitFor(
      () => app.get(WorkflowReplica).workflow(practice, groupId),
      (held) => held.version === version,
      { description: `workflow v${version} of ${name} in the replica` },
    );
    return { groupId, name };
  }

  const laterMessage = (groupId: string, threadId: string, threadVersion: number) =>
    messageEnvelope({ ...toGroup(groupId), threadId, followUp: true, threadVersion });

  const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

  it('makes an unanswered thread overdue once its target passes; a reply or a trash before it keeps it off', async () => {
    const { groupId } = await workflowGroup({ responseTargetSeconds: 2 });
    const late = await thread(toGroup(groupId));
    const answered = await thread(toGroup(groupId));
    const trashed = await thread(toGroup(groupId));
    expect(
      (await post(`/threads/${answered.threadId}/replies`, id('admin'), { body: 'Paid.' })).status,
    ).toBe(202);
    expect((await post(`/threads/${trashed.threadId}/trash`, id('admin'))).status).toBe(200);

    const [overdue] = await observed<MessageResponseOverdueV1>(
      MessageResponseOverdueV1.type,
      late.threadId,
    );
    const sentAt = late.envelope.data.sentAt;
    expect(overdue!.data).toMatchObject({ awaitingSince: sentAt, targetSeconds: 2 });
    expect(seconds(sentAt, overdue!.data.respondBy)).toBe(2);
    expect(Date.parse(overdue!.time)).toBeGreaterThanOrEqual(Date.parse(overdue!.data.respondBy));
    const view = await timeline(late.threadId);
    expect(view.status).toBe('not-replied');
    expect(view.entries.at(-1)).toMatchObject({ kind: 'overdue', actor: { kind: 'system' } });

    await sleep(1000); // two more rounds of the timer
    expect(threadEvents.ofType(MessageResponseOverdueV1.type, late.threadId)).toHaveLength(1);
    for (const { threadId } of [answered, trashed]) {
      expect(threadEvents.ofType(MessageResponseOverdueV1.type, threadId)).toEqual([]);
    }
  });

  it('starts a new target when the patient writes again after a reply', async () => {
    const { groupId } = await workflowGroup({ responseTargetSeconds: 1 });
    const { threadId } = await thread(toGroup(groupId));
    await observed(MessageResponseOverdueV1.type, threadId);
    expect(
      (await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Paid.' })).status,
    ).toBe(202);
    const again = laterMessage(groupId, threadId, 2);
    await publishMessage(again);
    const overdue = await observed<MessageResponseOverdueV1>(
      MessageResponseOverdueV1.type,
      threadId,
      2,
    );
    expect(overdue[1]!.data.awaitingSince).toBe(again.data.sentAt);
    expect(seconds(again.data.sentAt, overdue[1]!.data.respondBy)).toBe(1);
  });

  it("acknowledges each new wait once, under the group's name, and the thread stays Not Replied", async () => {
    const text = 'We have your message. For emergencies call 911.';
    const { groupId, name } = await workflowGroup({
      responseTargetSeconds: 60,
      acknowledgement: { when: 'always', text },
    });
    const first = await thread(toGroup(groupId));
    const { threadId } = first;
    await publishMessage(laterMessage(groupId, threadId, 2)); // the same wait: no second acknowledgement
    await kindsOnceFollowedUp(threadId);
    expect(
      (await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Paid.' })).status,
    ).toBe(202);
    const third = laterMessage(groupId, threadId, 3);
    await publishMessage(third);

    const acks = await observed<AcknowledgementSentV1>(AcknowledgementSentV1.type, threadId, 2);
    expect(acks.map((a) => a.data)).toEqual([
      expect.objectContaining({
        messageId: first.envelope.data.messageId,
        senderDisplayName: name,
        body: text,
        when: 'always',
      }),
      expect.objectContaining({ messageId: third.data.messageId, senderDisplayName: name }),
    ]);
    const view = await timeline(threadId);
    expect(view.status).toBe('not-replied');
    expect(view.entries.map((e: { kind: string }) => e.kind)).toEqual([
      'sent',
      'routed',
      'acknowledged',
      'follow-up',
      'replied',
      'follow-up',
      'acknowledged',
    ]);
    expect(view.entries[2]).toMatchObject({ actor: { kind: 'system' } });
  });

  it('acknowledges only outside business hours when the group says so', async () => {
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const allWeek = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => ({
      day: d,
      opens: '00:00',
      closes: '24:00',
    }));
    const acknowledgement = { when: 'outside-business-hours' as const, text: 'We are closed.' };
    const closed = await workflowGroup({
      acknowledgement,
      businessHours: { timeZone: 'UTC', weekly: allWeek, closedDates: [day(-1), day(0), day(1)] },
    });
    const open = await workflowGroup({
      acknowledgement,
      businessHours: { timeZone: 'UTC', weekly: allWeek, closedDates: [] },
    });
    const whileClosed = await thread(toGroup(closed.groupId));
    const whileOpen = await thread(toGroup(open.groupId));
    const [ack] = await observed<AcknowledgementSentV1>(
      AcknowledgementSentV1.type,
      whileClosed.threadId,
    );
    expect(ack!.data).toMatchObject({ when: 'outside-business-hours', body: 'We are closed.' });
    // The acknowledgement would have travelled in the routing's own write.
    expect(threadEvents.ofType(AcknowledgementSentV1.type, whileOpen.threadId)).toEqual([]);
  });

  it("returns a silent assignee's thread to the queue once, saying why; an assignee who replied keeps theirs", async () => {
    const { groupId } = await workflowGroup({ returnToQueueSeconds: 2 });
    const silent = await thread(toGroup(groupId));
    const answering = await thread(toGroup(groupId));
    for (const { threadId } of [silent, answering]) {
      expect((await assign(threadId, id('admin'), id('userA'))).status).toBe(200);
    }
    expect(
      (await post(`/threads/${answering.threadId}/replies`, id('userA'), { body: 'On it.' }))
        .status,
    ).toBe(202);

    const [unassigned] = await observed<MessageUnassignedV2>(
      MessageUnassignedV2.type,
      silent.threadId,
    );
    expect(unassigned!.data).toMatchObject({
      previousAssigneeMemberId: id('userA'),
      reason: 'assignee-silent',
    });
    const view = await timeline(silent.threadId);
    expect(view.assigneeMemberId).toBeNull();
    expect(view.entries.at(-1)).toMatchObject({
      kind: 'unassigned',
      actor: { kind: 'system' },
      details: { reason: 'assignee-silent', previousAssigneeMemberId: id('userA') },
    });
    // The previous assignee no longer sees it: the Admin alone is its audience.
    await waitFor(
      async () => threadEvents.ofType(ThreadAudienceChangedV2.type, silent.threadId),
      (events) =>
        JSON.stringify(
          (events as EventEnvelope<ThreadAudienceChangedV2>[])
            .sort((a, b) => b.data.audienceVersion - a.data.audienceVersion)[0]
            ?.data.members.map((m) => m.memberId),
        ) === JSON.stringify([id('admin')]),
      { description: 'the audience without the silent assignee' },
    );
    expect(
      (await post(`/threads/${silent.threadId}/replies`, id('userA'), { body: 'Late.' })).status,
    ).toBe(403);

    await sleep(1000);
    expect(threadEvents.ofType(MessageUnassignedV2.type, silent.threadId)).toHaveLength(1);
    expect(threadEvents.ofType(MessageUnassignedV2.type, answering.threadId)).toEqual([]);
  });

  it('fires a due deadline once however many rounds race for it', async () => {
    const { groupId } = await workflowGroup({ responseTargetSeconds: 1 });
    const { threadId } = await thread(toGroup(groupId));
    const later = new Date(Date.now() + 5_000).toISOString();
    const commands = app.get(CommandBus);
    await Promise.all(
      Array.from({ length: 4 }, () => commands.execute(new FireDueDeadlinesCommand(later, 50))),
    );
    await observed(MessageResponseOverdueV1.type, threadId);
    await sleep(1000);
    expect(threadEvents.ofType(MessageResponseOverdueV1.type, threadId)).toHaveLength(1);
  });
});

describe('automatic assignment', () => {
  /** A group with these settings, once the service's replica holds them. */
  async function assigningGroup(
    draft: GroupDraft,
    settings: Omit<WorkflowState, 'groupId'>,
  ): Promise<string> {
    const groupId = await group(draft);
    const version = await bed.settings(practice).workflow({ groupId, ...settings });
    await waitFor(
      () => app.get(WorkflowReplica).workflow(practice, groupId),
      (held) => held.version === version,
      { description: `workflow v${version} of ${draft.name} in the replica` },
    );
    return groupId;
  }

  const assignedTo = async (threadId: string, count = 1) =>
    (await observed<MessageAssignedV2>(MessageAssignedV2.type, threadId, count)).map((e) => e.data);

  it("round robin gives a Specific Members group's threads to its Users in turn, as the system", async () => {
    const groupId = await assigningGroup(billingDraft(), {
      assignment: { mode: 'round-robin', capacity: null },
    });
    const threads = [];
    for (let i = 0; i < 4; i++) threads.push(await thread(toGroup(groupId)));
    const assignees = [];
    for (const { threadId } of threads) {
      const [assigned] = await assignedTo(threadId);
      expect(assigned).toMatchObject({
        previousAssigneeMemberId: null,
        assignedByMemberId: null,
        how: 'automatic',
      });
      assignees.push(assigned!.assigneeMemberId);
    }
    // Its Users alternate; its Admin assigns and is never chosen.
    expect(assignees.filter((m) => m === id('userA'))).toHaveLength(2);
    expect(assignees.filter((m) => m === id('userB'))).toHaveLength(2);
    const view = await timeline(threads[0]!.threadId);
    expect(view.entries.at(-1)).toMatchObject({
      kind: 'assigned',
      actor: { kind: 'system' },
      details: { how: 'automatic' },
    });
    // The assignee may answer it.
    const reply = await post(`/threads/${threads[0]!.threadId}/replies`, assignees[0]!, {
      body: 'On it.',
    });
    expect(reply.status).toBe(202);
  });

  it('keeps a thread in the queue while everyone is at capacity, and gives the oldest to whoever frees up', async () => {
    const groupId = await assigningGroup(billingDraft(), {
      assignment: { mode: 'least-loaded', capacity: 1 },
    });
    const first = await thread(toGroup(groupId));
    const second = await thread(toGroup(groupId));
    const [a] = await assignedTo(first.threadId);
    const [b] = await assignedTo(second.threadId);
    expect(new Set([a!.assigneeMemberId, b!.assigneeMemberId])).toEqual(
      new Set([id('userA'), id('userB')]),
    );
    const older = await thread(toGroup(groupId));
    const younger = await thread(toGroup(groupId));
    await sleep(1000); // two rounds: nobody has room
    expect(threadEvents.ofType(MessageAssignedV2.type, older.threadId)).toEqual([]);
    expect(threadEvents.ofType(MessageAssignedV2.type, younger.threadId)).toEqual([]);

    const reply = await post(`/threads/${first.threadId}/replies`, a!.assigneeMemberId, {
      body: 'Paid.',
    });
    expect(reply.status).toBe(202);
    const [next] = await assignedTo(older.threadId);
    expect(next!.assigneeMemberId).toBe(a!.assigneeMemberId);
    await sleep(1000);
    expect(threadEvents.ofType(MessageAssignedV2.type, younger.threadId)).toEqual([]);
  });

  it("a care-team group's thread goes to the patient's care team", async () => {
    const groupId = await assigningGroup(careDraft(), {
      assignment: { mode: 'round-robin', capacity: null },
    });
    const { threadId } = await thread(toGroup(groupId));
    const [assigned] = await assignedTo(threadId);
    expect([id('care'), id('care2')]).toContain(assigned!.assigneeMemberId);
  });

  it('a thread taken back from a silent assignee goes to someone else', async () => {
    const groupId = await assigningGroup(billingDraft(), {
      returnToQueueSeconds: 2,
      assignment: { mode: 'round-robin', capacity: null },
    });
    const { threadId } = await thread(toGroup(groupId));
    const [first] = await assignedTo(threadId);
    const [unassigned] = await observed<MessageUnassignedV2>(MessageUnassignedV2.type, threadId);
    expect(unassigned!.data).toMatchObject({
      previousAssigneeMemberId: first!.assigneeMemberId,
      reason: 'assignee-silent',
    });
    const assignments = await assignedTo(threadId, 2);
    expect(assignments[1]!.assigneeMemberId).not.toBe(first!.assigneeMemberId);
  });

  it('leaves a group that assigns by hand alone', async () => {
    const groupId = await assigningGroup(billingDraft(), {});
    const { threadId } = await thread(toGroup(groupId));
    await sleep(1000);
    expect(threadEvents.ofType(MessageAssignedV2.type, threadId)).toEqual([]);
  });
});

describe('hot queries on a store with history', () => {
  it('routing, assignment, replies, the timeline and unassignment on deactivation are served by indexes', async () => {
    const connection = app.get<Connection>(getConnectionToken());
    await padCollections(connection.db!);
    const [memberId, displayName] = [uniqueName('mbr_temp'), 'Tess Temporary'];
    await feed.member({ memberId, displayName, roleId: 'role_staff', active: true });
    const draft = billingDraft();
    const groupId = await group({
      ...draft,
      members: [...draft.members, { memberId, privilege: 'user' }],
    });
    const plans = new QueryPlans(connection.getClient()).start();
    const { threadId } = await thread(toGroup(groupId));
    expect((await assign(threadId, id('admin'), memberId)).status).toBe(200);
    expect(
      (await post(`/threads/${threadId}/replies`, id('admin'), { body: 'Paid.' })).status,
    ).toBe(202);
    await timeline(threadId);
    await feed.member({ memberId, displayName, roleId: 'role_staff', active: false });
    await observed<MessageUnassignedV2>(MessageUnassignedV2.type, threadId);
    // Automatic assignment: the group's queue and its members' loads.
    const automatic = await group(billingDraft());
    const version = await bed.settings(practice).workflow({
      groupId: automatic,
      assignment: { mode: 'least-loaded', capacity: 5 },
    });
    await waitFor(
      () => app.get(WorkflowReplica).workflow(practice, automatic),
      (held) => held.version === version,
      { description: 'the automatic group in the replica' },
    );
    const queued = await thread(toGroup(automatic));
    await observed(MessageAssignedV2.type, queued.threadId);
    plans.stop();

    expect(plans.finds().length).toBeGreaterThan(3);
    expect(await plans.sequentialScans()).toEqual([]);
  });
});

describe('out of office', () => {
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

  /** Publishes the member's periods and waits until the replica holds them. */
  async function outOfOffice(
    memberId: string,
    periods: { startsAt: string; endsAt: string; coverMemberId: string | null }[],
  ): Promise<void> {
    const version = await bed.settings(practice).outOfOffice(
      memberId,
      periods.map((p) => ({ periodId: uniqueName('ooo'), ...p })),
    );
    await waitFor(
      async () =>
        (await app.get(OutOfOfficeReplica).ofPractice(practice)).find(
          (m) => m.memberId === memberId,
        ),
      (held) => held?.version === version,
      { description: `out-of-office v${version} of ${memberId} in the replica` },
    );
  }

  const reasonsOf = async (threadId: string) =>
    (await observed<MessageUnassignedV2>(MessageUnassignedV2.type, threadId)).map(
      (e) => e.data.reason,
    );

  it("hands an away member's threads to their cover or back to the queue, and shows the cover their direct messages for the period only", async () => {
    // userB covers userA: a member of the first group, not of the second.
    const shared = await group(billingDraft());
    const apart = await group({
      name: uniqueName('Lab'),
      recipientMode: 'specific-members',
      members: [
        { memberId: id('admin'), privilege: 'admin' },
        { memberId: id('userA'), privilege: 'user' },
      ],
    });
    const toCover = await thread(toGroup(shared));
    const toQueue = await thread(toGroup(apart));
    for (const { threadId } of [toCover, toQueue]) {
      expect((await assign(threadId, id('admin'), id('userA'))).status).toBe(200);
    }
    const direct = await thread(toMember(id('userA')));
    await audienceIs(direct.threadId, [[id('userA'), 'addressee']]);

    await outOfOffice(id('userA'), [
      { startsAt: at(2_000), endsAt: at(6_000), coverMemberId: id('userB') },
    ]);
    // Nothing moves before the period begins.
    expect(threadEvents.ofType(MessageAssignedV2.type, toCover.threadId)).toHaveLength(1);
    expect(
      (await post(`/threads/${direct.threadId}/replies`, id('userB'), { body: 'Hi' })).status,
    ).toBe(404);

    const [covered] = await observed<MessageAssignedV2>(
      MessageAssignedV2.type,
      toCover.threadId,
      2,
    );
    const handedOver = threadEvents.ofType(MessageAssignedV2.type, toCover.threadId).at(-1)!
      .data as MessageAssignedV2;
    expect(covered).toBeDefined();
    expect(handedOver).toMatchObject({
      assigneeMemberId: id('userB'),
      previousAssigneeMemberId: id('userA'),
      assignedByMemberId: null,
      how: 'cover',
    });
    expect(await reasonsOf(toQueue.threadId)).toEqual(['assignee-out-of-office']);
    await audienceIs(direct.threadId, [
      [id('userA'), 'addressee'],
      [id('userB'), 'cover'],
    ]);
    // The cover answers the patient; nobody may give the away member a thread meanwhile.
    expect(
      (await post(`/threads/${direct.threadId}/replies`, id('userB'), { body: 'Covering.' }))
        .status,
    ).toBe(202);
    const refused = await assign(toQueue.threadId, id('admin'), id('userA'));
    expect([refused.status, refused.body.code]).toEqual([422, 'assignee-out-of-office']);
    expect((await timeline(toCover.threadId)).entries.at(-1)).toMatchObject({
      kind: 'assigned',
      actor: { kind: 'system' },
      details: { how: 'cover', previousAssigneeMemberId: id('userA') },
    });

    // The period ends: the cover no longer sees the direct message; what was handed over stays.
    await audienceIs(direct.threadId, [[id('userA'), 'addressee']]);
    expect(
      (await post(`/threads/${direct.threadId}/replies`, id('userB'), { body: 'Hi' })).status,
    ).toBe(404);
    await sleep(1000);
    expect(threadEvents.ofType(MessageAssignedV2.type, toCover.threadId)).toHaveLength(2);
    expect(threadEvents.ofType(MessageUnassignedV2.type, toQueue.threadId)).toHaveLength(1);
  });

  it('automatic assignment skips a member who is out, and a period already running is acted on at once', async () => {
    const groupId = await group(billingDraft());
    const held = await thread(toGroup(groupId));
    expect((await assign(held.threadId, id('admin'), id('userA'))).status).toBe(200);
    const version = await bed.settings(practice).workflow({
      groupId,
      assignment: { mode: 'round-robin', capacity: null },
    });
    await waitFor(
      () => app.get(WorkflowReplica).workflow(practice, groupId),
      (workflow) => workflow.version === version,
      { description: 'round robin in the replica' },
    );
    await outOfOffice(id('userA'), [
      { startsAt: at(-60_000), endsAt: at(60_000), coverMemberId: null },
    ]);
    expect(await reasonsOf(held.threadId)).toEqual(['assignee-out-of-office']);
    const fresh = [await thread(toGroup(groupId)), await thread(toGroup(groupId))];
    // The held thread's first assignment was the Admin's; then the queue's.
    const waits: [string, number][] = [
      [held.threadId, 2],
      ...fresh.map((t): [string, number] => [t.threadId, 1]),
    ];
    for (const [threadId, count] of waits) {
      const assignments = await observed<MessageAssignedV2>(
        MessageAssignedV2.type,
        threadId,
        count,
      );
      expect(assignments.at(-1)!.data).toMatchObject({
        assigneeMemberId: id('userB'),
        how: 'automatic',
      });
    }
    // Racing rounds of the timer change nothing more.
    await Promise.all(
      Array.from({ length: 4 }, () =>
        app.get(CommandBus).execute(new ApplyOutOfOfficeCommand(new Date().toISOString(), 20)),
      ),
    );
    await sleep(1000);
    expect(threadEvents.ofType(MessageUnassignedV2.type, held.threadId)).toHaveLength(1);
    await outOfOffice(id('userA'), []);
  });
});
