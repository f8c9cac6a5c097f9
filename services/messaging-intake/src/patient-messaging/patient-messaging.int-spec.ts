/**
 * The patient side against the real servers: the directory and the practice
 * settings replicated from Kafka (published here as their owners would, the
 * contract being the interface), the To list, sending and following up, the
 * send-time re-check, Idempotency-Key, the rate limit, and MessageSent as
 * downstream consumers read it from Kafka.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import { MessageSentV1 } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { REDIS } from '@gm/service-kit';
import { SettingsReplica } from '@gm/settings-replica';
import {
  EventsOnTopic,
  monitoredUri,
  padCollections,
  QueryPlans,
  ServiceTestBed,
  TEST_JWT_SECRET,
  testInfrastructure,
  uniqueName,
  waitFor,
  type GroupState,
  type PreferencesState,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Redis } from 'ioredis';
import request, { type Response } from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import { ThreadsRepository } from './infrastructure/threads.repository.js';

const practice = uniqueName('prc');
const otherPractice = uniqueName('prc_other');
const freePractice = uniqueName('prc_free');

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'messaging-intake-it',
);
let app: INestApplication;
let messages: EventsOnTopic;

const STAFF = {
  mbr_alice: 'Alice Admin',
  mbr_bob: 'Bob Billing',
  mbr_carol: 'Carol Care',
  mbr_dave: 'Dave Gone',
};

const group = (groupId: string, overrides: Partial<GroupState> = {}): GroupState => ({
  groupId,
  name: groupId,
  description: `Write to ${groupId}`,
  facilityId: null,
  patientCategoryId: null,
  recipientMode: 'specific-members',
  members: [
    { memberId: 'mbr_alice', privilege: 'admin' },
    { memberId: 'mbr_bob', privilege: 'user' },
  ],
  ...overrides,
});

const openPreferences: PreferencesState = {
  allowPatientMessages: true,
  patientMessagePreference: 'groups-and-members',
  memberRecipients: 'all-members',
  excludedMemberIds: ['mbr_bob'],
};

async function feedMainPractice() {
  const feed = bed.directory(practice);
  await feed.practice({ name: 'Riverside', plan: 'paid' });
  for (const [memberId, displayName] of Object.entries(STAFF)) {
    await feed.member({ memberId, displayName, roleId: null, active: memberId !== 'mbr_dave' });
  }
  const patient = (patientId: string, facilityId: string, categoryIds: string[], active = true) =>
    feed.patient({
      patientId,
      displayName: `Patient ${patientId}`,
      facilityId,
      categoryIds,
      careTeamMemberIds: ['mbr_carol'],
      active,
    });
  await patient('pat_ruth', 'fac_north', ['cat_diabetes']);
  await patient('pat_sam', 'fac_south', []);
  await patient('pat_ida', 'fac_north', []);
  await patient('pat_rate', 'fac_north', []);
  await patient('pat_rita', 'fac_north', []);
  await patient('pat_gone', 'fac_north', [], false);

  const feedSettings = bed.settings(practice);
  await feedSettings.group(group('Billing Team'));
  await feedSettings.group(
    group('North Diabetes Program', { facilityId: 'fac_north', patientCategoryId: 'cat_diabetes' }),
  );
  await feedSettings.group(group('South Front Office', { facilityId: 'fac_south' }));
  // Its only Admin is deactivated: not offered (ADR 0006).
  await feedSettings.group(
    group('Referrals', { members: [{ memberId: 'mbr_dave', privilege: 'admin' }] }),
  );
  await feedSettings.preferences(openPreferences);
}

/** Another practice that never saved PHR settings (messaging off), and a free one. */
async function feedOtherPractices() {
  const other = bed.directory(otherPractice);
  await other.practice({ name: 'Elsewhere', plan: 'paid' });
  await other.member({ memberId: 'mbr_olaf', displayName: 'Olaf', roleId: null, active: true });
  await other.patient({
    patientId: 'pat_olga',
    displayName: 'Olga',
    facilityId: null,
    categoryIds: [],
    careTeamMemberIds: [],
    active: true,
  });

  const free = bed.directory(freePractice);
  await free.practice({ name: 'Small', plan: 'free' });
  await free.member({ memberId: 'mbr_fay', displayName: 'Fay', roleId: null, active: true });
  await free.member({ memberId: 'mbr_fred', displayName: 'Fred', roleId: null, active: true });
  await free.patient({
    patientId: 'pat_quinn',
    displayName: 'Quinn',
    facilityId: null,
    categoryIds: [],
    careTeamMemberIds: ['mbr_fay'],
    active: true,
  });
  const freeSettings = bed.settings(freePractice);
  await freeSettings.group(
    group('grp_free', { members: [{ memberId: 'mbr_fay', privilege: 'admin' }] }),
  );
  await freeSettings.preferences({
    ...openPreferences,
    memberRecipients: 'care-team',
    excludedMemberIds: [],
  });
}

/** Directory and settings topics are consumed independently: wait for every fact the tests use. */
async function untilReplicated(service: INestApplication) {
  const people = service.get(DirectoryReplica);
  const config = service.get(SettingsReplica);
  await bed.untilReplicated(
    () => [
      people.practice(practice),
      people.practice(otherPractice),
      people.practice(freePractice),
      people.patient(practice, 'pat_gone'),
      people.patient(practice, 'pat_ruth'),
      people.patient(practice, 'pat_sam'),
      people.patient(practice, 'pat_ida'),
      people.patient(practice, 'pat_rate'),
      people.patient(practice, 'pat_rita'),
      people.patient(otherPractice, 'pat_olga'),
      people.patient(freePractice, 'pat_quinn'),
      people.members(practice, Object.keys(STAFF)).then((found) => found.length === 4),
      people.members(freePractice, ['mbr_fay', 'mbr_fred']).then((f) => f.length === 2),
      config.groupsOfPractice(practice).then((groups) => groups.length === 4),
      config.group(freePractice, 'grp_free'),
      config.phrPreferences(practice).then((p) => p.version >= 1),
      config.phrPreferences(freePractice).then((p) => p.version === 1),
    ],
    // The bed's 60 s: under load a fresh consumer group can take over 30 s on a partition.
    { description: 'the directory and settings replicas to catch up' },
  );
}

beforeAll(async () => {
  await bed.connect();
  await feedMainPractice();
  await feedOtherPractices();
  // A high limit here: the rate limit has its own app and patient below.
  // Its own client reports its commands: the hot-query plans at the end explain what it sent.
  app = await bed.start({
    PATIENT_SEND_LIMIT: '1000',
    MONGODB_URI: monitoredUri(testInfrastructure().mongoUri),
  });
  messages = await bed.observe(MessageSentV1.topic.name, practice);
  await untilReplicated(app);
});

afterAll(() => bed.stop());

const token = (sub: string, practiceId = practice, actor: ActorKind = 'patient') =>
  mintToken(TEST_JWT_SECRET, { sub, practiceId, actor });
const as = async (sub: string, practiceId = practice) => `Bearer ${await token(sub, practiceId)}`;

const http = (service = app) => request(service.getHttpServer());

const toList = async (patientId: string, practiceId = practice) =>
  (
    await http()
      .get('/recipients')
      .set('authorization', await as(patientId, practiceId))
      .expect(200)
  ).body;

const toGroup = (groupId: string, overrides: object = {}) => ({
  recipient: { kind: 'group', groupId },
  subject: 'Invoice question',
  body: 'FAKE TEST BODY: why was I charged twice?',
  ...overrides,
});

/**
 * A request whose token is minted when it runs; `expect(status)` also shows
 * the problem code when the status differs.
 */
function pending(run: () => Promise<Response>) {
  return {
    run,
    async expect(status: number): Promise<Response> {
      const response = await run();
      expect({ status: response.status, code: response.body?.code }).toMatchObject({ status });
      return response;
    },
  };
}

const send = (
  patientId: string,
  body: object,
  {
    key,
    service,
    practiceId,
  }: { key?: string; service?: INestApplication; practiceId?: string } = {},
) =>
  pending(async () => {
    const call = http(service)
      .post('/threads')
      .set('authorization', await as(patientId, practiceId));
    if (key) void call.set('idempotency-key', key);
    return call.send(body);
  });

const followUp = (patientId: string, threadId: string, body: string, key?: string) =>
  pending(async () => {
    const call = http()
      .post(`/threads/${threadId}/messages`)
      .set('authorization', await as(patientId));
    if (key) void call.set('idempotency-key', key);
    return call.send({ body });
  });

const sentEvents = (threadId: string) =>
  messages.ofType(MessageSentV1.type, threadId).map((event) => event.data as MessageSentV1);

const untilSent = (threadId: string, count: number) =>
  waitFor(
    async () => sentEvents(threadId),
    (found) => found.length >= count,
    { description: `${count} MessageSent of ${threadId}` },
  );

/** Nothing a patient reads about a group may name or point at a staff member. */
function expectNoStaff(json: unknown) {
  const text = JSON.stringify(json);
  expect(text).not.toMatch(/mbr_/);
  for (const name of Object.values(STAFF)) expect(text).not.toContain(name);
}

describe('the To list', () => {
  it('lists the groups serving the patient (facility × category × active Admin) and the allowed members', async () => {
    const ruth = await toList('pat_ruth');
    expect(ruth).toEqual({
      canSend: true,
      groups: [
        { groupId: 'Billing Team', name: 'Billing Team', description: 'Write to Billing Team' },
        {
          groupId: 'North Diabetes Program',
          name: 'North Diabetes Program',
          description: 'Write to North Diabetes Program',
        },
      ],
      // Bob is excluded, Dave deactivated.
      members: [
        { memberId: 'mbr_alice', displayName: 'Alice Admin' },
        { memberId: 'mbr_carol', displayName: 'Carol Care' },
      ],
    });
    expectNoStaff(ruth.groups);

    const sam = await toList('pat_sam');
    expect(sam.groups.map((g: { groupId: string }) => g.groupId)).toEqual([
      'Billing Team',
      'South Front Office',
    ]);
  });

  it('is empty, with the reason, when the practice does not allow PHR messages', async () => {
    expect(await toList('pat_olga', otherPractice)).toEqual({
      canSend: false,
      reason: 'messaging-disabled',
      groups: [],
      members: [],
    });
  });

  it('hides groups on the free plan and lists only the in-house care team when so set', async () => {
    expect(await toList('pat_quinn', freePractice)).toEqual({
      canSend: true,
      groups: [],
      members: [{ memberId: 'mbr_fay', displayName: 'Fay' }],
    });
  });

  it('says why an inactive or unknown patient can send nothing', async () => {
    expect(await toList('pat_gone')).toMatchObject({ canSend: false, reason: 'patient-inactive' });
    expect(await toList('pat_nobody')).toMatchObject({ canSend: false, reason: 'patient-unknown' });
  });
});

describe('sending', () => {
  it('to a group: 202 with the thread id once durable, and one schema-valid MessageSent keyed by thread id', async () => {
    const response = await send('pat_ruth', toGroup('Billing Team')).expect(202);
    const { threadId, messageId } = response.body;
    expect(response.body).toEqual({ threadId, messageId });
    expect(response.headers.location).toBe(`/threads/${threadId}`);
    expectNoStaff(response.body);

    const [event] = await untilSent(threadId, 1);
    expect(event).toEqual({
      practiceId: practice,
      threadId,
      messageId,
      patientId: 'pat_ruth',
      recipientKind: 'group',
      groupId: 'Billing Team',
      memberId: null,
      subject: 'Invoice question',
      body: 'FAKE TEST BODY: why was I charged twice?',
      followUp: false,
      threadVersion: 1,
      sentAt: expect.any(String),
      // Where it was sent from, for analytics: a token naming no client is an unknown app.
      channel: 'unknown',
      facilityId: 'fac_north',
      categoryIds: ['cat_diabetes'],
    });
    const envelope = messages.ofType(MessageSentV1.type, threadId)[0]!;
    // fromWireRecord refuses a record whose Kafka key differs from the thread id.
    expect(envelope.subject).toBe(threadId);
    expect(messages.invalid).toEqual([]);

    const stored = await app.get(ThreadsRepository).find(threadId);
    expect(stored).toMatchObject({ version: 1, subject: 'Invoice question' });
    expect(JSON.stringify(stored)).not.toContain('charged twice');
  });

  it('to a member of the To list', async () => {
    const response = await send('pat_ruth', {
      recipient: { kind: 'member', memberId: 'mbr_alice' },
      subject: 'Lab results',
      body: 'FAKE TEST BODY',
    }).expect(202);
    const [event] = await untilSent(response.body.threadId, 1);
    expect(event).toMatchObject({ recipientKind: 'member', memberId: 'mbr_alice', groupId: null });
  });

  it.each([
    ['an unknown field', { ...toGroup('Billing Team'), priority: 'high' }, 'validation-failed'],
    ['no recipient', { subject: 's', body: 'b' }, 'validation-failed'],
    [
      'a $-prefixed key',
      toGroup('x', { recipient: { kind: 'group', groupId: 'x', $ne: 1 } }),
      'validation-failed',
    ],
    [
      'a group and a member at once',
      toGroup('Billing Team', {
        recipient: { kind: 'group', groupId: 'Billing Team', memberId: 'mbr_alice' },
      }),
      'validation-failed',
    ],
    [
      'an unknown kind',
      toGroup('x', { recipient: { kind: 'team', groupId: 'x' } }),
      'validation-failed',
    ],
    [
      'a 201-character subject',
      toGroup('Billing Team', { subject: 's'.repeat(201) }),
      'invalid-subject',
    ],
    [
      'a 20001-character body',
      toGroup('Billing Team', { body: 'b'.repeat(20001) }),
      'invalid-body',
    ],
    ['a control character', toGroup('Billing Team', { body: 'hi\u0007' }), 'invalid-body'],
  ])('refuses %s with 422', async (_, body, code) => {
    const response = await send('pat_ida', body).expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe(code);
  });

  it('takes a 20000-character body', async () => {
    await send('pat_ida', toGroup('Billing Team', { body: 'b'.repeat(20000) })).expect(202);
  });

  it('refuses a group the patient is not offered with the same answer as one that does not exist', async () => {
    const codes = [];
    for (const groupId of ['South Front Office', 'Referrals', 'grp_of_nobody']) {
      const response = await send('pat_ruth', toGroup(groupId)).expect(403);
      expectNoStaff(response.body);
      codes.push([response.body.code, response.body.detail]);
    }
    expect(new Set(codes.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(codes[0]![0]).toBe('recipient-not-available');
    const excluded = await send('pat_ruth', {
      recipient: { kind: 'member', memberId: 'mbr_bob' },
      subject: 's',
      body: 'b',
    }).expect(403);
    expect(excluded.body.code).toBe('recipient-not-available');
  });

  it('is refused when the practice does not allow PHR messages', async () => {
    const response = await send('pat_olga', toGroup('x'), { practiceId: otherPractice }).expect(
      403,
    );
    expect(response.body.code).toBe('messaging-disabled');
  });
});

describe('the app a message is sent from', () => {
  const fromClient = async (clientId: string) =>
    `Bearer ${await mintToken(
      TEST_JWT_SECRET,
      { sub: 'pat_ruth', practiceId: practice, actor: 'patient' },
      { clientId },
    )}`;

  it("is the channel configured for the token's client, and unknown for any other client", async () => {
    const channels: [string, string][] = [
      ['gm-mobile-app', 'mobile-app'],
      ['gm-phr-web', 'phr-web'],
      ['gm-branded-app', 'branded-app'],
      ['an-app-nobody-listed', 'unknown'],
    ];
    for (const [clientId, channel] of channels) {
      const sent = await http()
        .post('/threads')
        .set('authorization', await fromClient(clientId))
        .send(toGroup('Billing Team'))
        .expect(202);
      const [event] = await untilSent(sent.body.threadId, 1);
      expect(`${clientId}: ${event!.channel}`).toBe(`${clientId}: ${channel}`);
    }
  });
});

describe('following up', () => {
  it('appends to the patient’s own thread: MessageSent followUp true, thread version 2, same subject and recipient', async () => {
    const { threadId } = (await send('pat_sam', toGroup('South Front Office')).expect(202)).body;
    const response = await followUp('pat_sam', threadId, 'FAKE TEST BODY: any news?').expect(202);
    expect(response.body.threadId).toBe(threadId);
    expectNoStaff(response.body);
    const events = await untilSent(threadId, 2);
    expect(events[1]).toMatchObject({
      threadId,
      messageId: response.body.messageId,
      followUp: true,
      threadVersion: 2,
      subject: 'Invoice question',
      recipientKind: 'group',
      groupId: 'South Front Office',
      memberId: null,
      body: 'FAKE TEST BODY: any news?',
      channel: 'unknown',
    });
  });

  it("answers another patient's or another practice's thread exactly like a missing one (404)", async () => {
    const { threadId } = (await send('pat_ruth', toGroup('Billing Team')).expect(202)).body;
    const missing = await followUp('pat_ruth', 'thr_nowhere', 'hello').expect(404);
    const others = await followUp('pat_sam', threadId, 'hello').expect(404);
    const foreign = await http()
      .post(`/threads/${threadId}/messages`)
      .set('authorization', await as('pat_ruth', otherPractice))
      .send({ body: 'hello' })
      .expect(404);
    for (const response of [others, foreign]) {
      expect({ ...response.body, instance: null }).toEqual({ ...missing.body, instance: null });
    }
    expect(missing.body.code).toBe('thread-not-found');
  });
});

describe('the send-time re-check', () => {
  it('refuses a member excluded, or a group re-scoped, after the patient loaded the To list', async () => {
    const before = await toList('pat_ruth');
    expect(before.members.map((m: { memberId: string }) => m.memberId)).toContain('mbr_carol');
    const { threadId: carolThread } = (
      await send('pat_ruth', {
        recipient: { kind: 'member', memberId: 'mbr_carol' },
        subject: 's',
        body: 'b',
      }).expect(202)
    ).body;

    const feed = bed.settings(practice);
    const version = await feed.preferences({
      ...openPreferences,
      excludedMemberIds: ['mbr_bob', 'mbr_carol'],
    });
    await waitFor(
      () => app.get(SettingsReplica).phrPreferences(practice),
      (p) => p.version === version,
      { description: 'the new exclusions' },
    );
    const toCarol = await send('pat_ruth', {
      recipient: { kind: 'member', memberId: 'mbr_carol' },
      subject: 'still there?',
      body: 'b',
    }).expect(403);
    expect(toCarol.body.code).toBe('recipient-not-available');
    // Also in the thread opened before: the recipient is no longer available.
    const again = await followUp('pat_ruth', carolThread, 'b').expect(403);
    expect(again.body.code).toBe('recipient-not-available');

    const groupVersion = await feed.group(
      group('North Diabetes Program', {
        facilityId: 'fac_south',
        patientCategoryId: 'cat_diabetes',
      }),
    );
    await waitFor(
      () => app.get(SettingsReplica).group(practice, 'North Diabetes Program'),
      (g) => g?.version === groupVersion,
      { description: 'the re-scoped group' },
    );
    const toGroupNow = await send('pat_ruth', toGroup('North Diabetes Program')).expect(403);
    expect(toGroupNow.body.code).toBe('recipient-not-available');
    const after = await toList('pat_ruth');
    expect(after.groups.map((g: { groupId: string }) => g.groupId)).toEqual(['Billing Team']);
  });
});

describe('Idempotency-Key', () => {
  it('makes a retried POST create one thread and one MessageSent, even after losing the stored response', async () => {
    const key = uniqueName('send');
    const body = toGroup('Billing Team', { subject: 'Idempotent' });
    const first = await send('pat_ida', body, { key }).expect(202);
    const retry = await send('pat_ida', body, { key }).expect(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['idempotent-replayed']).toBe('true');

    // As if the process died after writing to MongoDB, before recording the response in Redis.
    const redis = app.get<Redis>(REDIS);
    const deleted = await redis.del(`gm:messaging-intake:idempotency:${practice}:pat_ida:${key}`);
    expect(deleted).toBe(1);
    const afterCrash = await send('pat_ida', body, { key }).expect(202);
    expect(afterCrash.body).toEqual(first.body);

    const reused = await send('pat_ida', { ...body, body: 'another text' }, { key }).expect(422);
    expect(reused.body.code).toBe('idempotency-key-reused');

    const { threadId } = first.body;
    const stored = await app.get(ThreadsRepository).find(threadId);
    expect(stored?.messages).toHaveLength(1);
    // A later message of the same thread travels the same partition: once it is seen, any
    // duplicate of the first would have been seen before it.
    await followUp('pat_ida', threadId, 'marker').expect(202);
    const events = await untilSent(threadId, 2);
    expect(events.map((e) => [e.followUp, e.threadVersion])).toEqual([
      [false, 1],
      [true, 2],
    ]);
  });

  it('answers a concurrent duplicate with the same response or 409 request-in-progress, never a second thread', async () => {
    const key = uniqueName('race');
    const body = toGroup('Billing Team', { subject: 'Race' });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => send('pat_ida', body, { key }).run()),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses).toContain(202);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    for (const r of responses.filter((r) => r.status === 409))
      expect(r.body.code).toBe('request-in-progress');
    const threadIds = new Set(
      responses.filter((r) => r.status === 202).map((r) => r.body.threadId),
    );
    expect(threadIds.size).toBe(1);
    const [threadId] = [...threadIds] as string[];
    expect((await app.get(ThreadsRepository).find(threadId!))?.messages).toHaveLength(1);
  });

  it('makes a retried follow-up write one message', async () => {
    const { threadId } = (await send('pat_ida', toGroup('Billing Team')).expect(202)).body;
    const key = uniqueName('follow');
    const first = await followUp('pat_ida', threadId, 'again', key).expect(202);
    const retry = await followUp('pat_ida', threadId, 'again', key).expect(202);
    expect(retry.body).toEqual(first.body);
    expect((await app.get(ThreadsRepository).find(threadId))?.version).toBe(2);
  });

  it('refuses a malformed key', async () => {
    const response = await send('pat_ida', toGroup('Billing Team'), { key: 'not a key!' }).expect(
      422,
    );
    expect(response.body.code).toBe('invalid-idempotency-key');
  });
});

describe('the per-patient rate limit', () => {
  let limited: INestApplication;

  beforeAll(async () => {
    limited = await bed.start({ PATIENT_SEND_LIMIT: '3' });
    await untilReplicated(limited);
  });

  it('answers the 4th message 429 rate-limited with Retry-After; refusals and replays cost nothing', async () => {
    const options = { service: limited };
    await send('pat_rate', toGroup('Referrals'), options).expect(403);
    const key = uniqueName('rate');
    await send('pat_rate', toGroup('Billing Team'), { ...options, key }).expect(202);
    await send('pat_rate', toGroup('Billing Team'), { ...options, key }).expect(202);
    await send('pat_rate', toGroup('Billing Team'), options).expect(202);
    await send('pat_rate', toGroup('Billing Team'), options).expect(202);
    const fourth = await send('pat_rate', toGroup('Billing Team'), options).expect(429);
    expect(fourth.headers['content-type']).toContain('application/problem+json');
    expect(fourth.body.code).toBe('rate-limited');
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // The limit is per patient (and shared by every replica, through Redis).
    await send('pat_rita', toGroup('Billing Team'), options).expect(202);
  });
});

describe('who may call', () => {
  it('is for patients only: a member token gets 403 actor-not-allowed, no token 401', async () => {
    const member = `Bearer ${await token('mbr_alice', practice, 'member')}`;
    const list = await http().get('/recipients').set('authorization', member).expect(403);
    expect(list.body.code).toBe('actor-not-allowed');
    const post = await http()
      .post('/threads')
      .set('authorization', member)
      .send(toGroup('Billing Team'))
      .expect(403);
    expect(post.body.code).toBe('actor-not-allowed');
    await http().get('/recipients').expect(401);
    await http().post('/threads').send(toGroup('Billing Team')).expect(401);
    await http().post('/threads/thr_x/messages').send({ body: 'b' }).expect(401);
  });
});

describe('hot queries on a store with history', () => {
  it('the To list, sending and following up are served by indexes', async () => {
    const connection = app.get<Connection>(getConnectionToken());
    await padCollections(connection.db!);
    const plans = new QueryPlans(connection.getClient()).start();
    await toList('pat_ruth');
    const { threadId } = (await send('pat_ruth', toGroup('Billing Team')).expect(202)).body;
    await followUp('pat_ruth', threadId, 'FAKE TEST BODY: and again', uniqueName('key')).expect(
      202,
    );
    await untilSent(threadId, 2);
    plans.stop();

    expect(plans.finds().length).toBeGreaterThan(3);
    expect(await plans.sequentialScans()).toEqual([]);
  });
});
