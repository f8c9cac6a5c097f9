/**
 * The access audit of thread reads and listings in the read model (ADR
 * 0013), against the real servers: a member opening a thread, a patient
 * opening their own, a refused open and every listing each publish one
 * AccessRecorded (v2) on gm.access-audit before the answer is given; when
 * the record cannot be written the read is refused with 503, serves nothing
 * and marks nothing read.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import type { Access } from '@gm/access-recording';
import {
  AccessRecordedV2,
  buildEnvelope,
  MessageGroupCreatedV1,
  MessageRoutedV1,
  MessageSentV1,
  ThreadAudienceChangedV1,
  ThreadAudienceChangedV2,
  TOPICS,
  toWireRecord,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import { createKafka, silentLogger } from '@gm/messaging';
import { configureHttp } from '@gm/service-kit';
import {
  DirectoryFeed,
  EventsOnTopic,
  startServiceForTest,
  TEST_JWT_SECRET,
  testEnvironment,
  testInfrastructure,
  uniqueName,
  waitFor,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import { ThreadReadRecorder } from '@gm/access-recording';

const practice = uniqueName('prc');
const ADMIN = 'mbr_admin';
/** A doctor out of office, and the colleague named to cover for them. */
const ADDRESSEE = 'mbr_doctor';
const COVER = 'mbr_cover';
const PATIENT = 'pat_ruth';
const GROUP = uniqueName('grp');
const SUBJECT = 'Audit subject that must not leak';
const BODY = 'Audit body that must not leak';

let kafka: Kafka;
let producer: Producer;
let app: INestApplication;
let audit: EventsOnTopic;
let environment: Record<string, string>;

const bearer = async (sub: string, actor: ActorKind) =>
  `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId: practice, actor })}`;

const open = async (target: INestApplication, path: string, sub: string, actor: ActorKind) =>
  request(target.getHttpServer())
    .get(path)
    .set('authorization', await bearer(sub, actor))
    .set('user-agent', `Inbox-Test/${actor}`);

/** Opens and checks the status. */
async function opened(
  status: number,
  target: INestApplication,
  path: string,
  sub: string,
  actor: ActorKind,
) {
  const response = await open(target, path, sub, actor);
  expect({ path, status: response.status }).toEqual({ path, status });
  return response;
}

async function publish<T>(definition: EventDefinition<T>, data: T) {
  const envelope = buildEnvelope(definition, data, {
    id: randomUUID(),
    source: '/tests/access-audit',
    time: new Date().toISOString(),
    practiceId: practice,
    correlationId: randomUUID(),
  });
  await producer.send({
    topic: definition.topic.name,
    acks: -1,
    messages: [toWireRecord(envelope as EventEnvelope)],
  });
}

interface Listed {
  threadId: string;
  unread: boolean;
}

/** The admin's listing of the group (recorded as a listing, not as a read of its threads). */
async function listing(): Promise<Listed[]> {
  const response = await open(app, `/inbox/groups/${GROUP}/threads?limit=100`, ADMIN, 'member');
  return response.status === 200 ? (response.body.threads as Listed[]) : [];
}

/** A routed thread from the patient to the group, once it is in the admin's inbox. */
async function thread(timeoutMs = 30000): Promise<string> {
  const threadId = uniqueName('thr');
  const at = new Date().toISOString();
  await publish(MessageSentV1, {
    practiceId: practice,
    threadId,
    messageId: uniqueName('msg'),
    patientId: PATIENT,
    recipientKind: 'group',
    groupId: GROUP,
    memberId: null,
    subject: SUBJECT,
    body: BODY,
    followUp: false,
    threadVersion: 1,
    sentAt: at,
  });
  await publish(MessageRoutedV1, {
    practiceId: practice,
    threadId,
    groupId: GROUP,
    threadVersion: 1,
    occurredAt: at,
    patientId: PATIENT,
    routing: 'specific-members',
    memberId: null,
  });
  // Who sees it, as routing-assignment decides (ADR 0016): the group's Admin.
  await publish(ThreadAudienceChangedV1, {
    practiceId: practice,
    threadId,
    groupId: GROUP,
    patientId: PATIENT,
    audienceVersion: 1,
    members: [{ memberId: ADMIN, reason: 'admin' }],
    occurredAt: at,
  });
  await waitFor(
    async () => {
      const response = await open(app, `/inbox/groups/${GROUP}/threads?limit=100`, ADMIN, 'member');
      return { status: response.status, body: response.body as { threads?: Listed[] } };
    },
    ({ body }) => (body.threads ?? []).some((t) => t.threadId === threadId),
    { timeoutMs, description: `${threadId} in the admin's inbox` },
  );
  return threadId;
}

const recordsOf = (threadId: string, count: number) =>
  waitFor(
    async () =>
      audit
        .ofType(AccessRecordedV2.type)
        .filter((e) => (e.data as AccessRecordedV2).threadId === threadId),
    (found) => found.length >= count,
    { timeoutMs: 30000, description: `${count} access records of ${threadId}` },
  ) as Promise<EventEnvelope<AccessRecordedV2>[]>;

/** Lists with a correlation id of its own, and answers the one record of that request. */
async function listingRecord(path: string, sub: string, actor: ActorKind) {
  const correlationId = randomUUID();
  const response = await request(app.getHttpServer())
    .get(path)
    .set('authorization', await bearer(sub, actor))
    .set('x-correlation-id', correlationId)
    .expect(200);
  const [record] = await waitFor(
    async () =>
      audit.ofType(AccessRecordedV2.type).filter((e) => e.correlationId === correlationId),
    (found) => found.length >= 1,
    { timeoutMs: 30000, description: `the access record of ${path}` },
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(
    audit.ofType(AccessRecordedV2.type).filter((e) => e.correlationId === correlationId),
  ).toHaveLength(1);
  const shown = (response.body.threads as { threadId: string }[]).map((t) => t.threadId);
  return { data: (record as EventEnvelope<AccessRecordedV2>).data, shown, body: response.body };
}

beforeAll(async () => {
  kafka = createKafka(
    { brokers: testInfrastructure().kafkaBrokers, clientId: 'inbox-audit-it' },
    silentLogger,
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const feed = new DirectoryFeed(producer, practice);
  await feed.practice({ name: 'Riverside', plan: 'paid' });
  await feed.member({ memberId: ADMIN, displayName: 'Alice Admin', roleId: null, active: true });
  for (const memberId of [ADDRESSEE, COVER]) {
    await feed.member({ memberId, displayName: `Dr. ${memberId}`, roleId: null, active: true });
  }
  await feed.patient({
    patientId: PATIENT,
    displayName: 'Ruth Patient',
    facilityId: null,
    categoryIds: [],
    careTeamMemberIds: [],
    active: true,
  });
  await publish(MessageGroupCreatedV1, {
    practiceId: practice,
    groupId: GROUP,
    name: 'Billing Team',
    description: '',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [{ memberId: ADMIN, privilege: 'admin' }],
    version: 1,
    changedAt: new Date().toISOString(),
  });
  environment = testEnvironment();
  app = await startServiceForTest((c) => AppModule.forConfig(c), loadConfig(environment), SERVICE);
  audit = await new EventsOnTopic(kafka, TOPICS.accessAudit.name, practice).start();
}, 180000);

afterAll(async () => {
  await audit?.stop();
  await app?.close();
  await producer?.disconnect();
});

describe('thread reads are recorded', () => {
  let threadId: string;

  beforeAll(async () => {
    // A fresh consumer group reads every topic from the start first.
    threadId = await thread(300000);
  }, 320000);

  it("records a member's read before serving it", async () => {
    const response = await opened(200, app, `/inbox/threads/${threadId}`, ADMIN, 'member');
    expect(response.body.subject).toBe(SUBJECT);
    const [record] = await recordsOf(threadId, 1);
    expect(record!.subject).toBe(practice);
    expect(record!.source).toBe('/services/inbox-projection');
    expect(record!.data).toEqual({
      recordId: record!.id,
      practiceId: practice,
      actor: { kind: 'member', id: ADMIN },
      action: 'thread.read',
      threadId,
      threadIds: [threadId],
      outcome: 'served',
      refusal: null,
      listing: null,
      occurredAt: expect.any(String),
      source: { ip: expect.stringMatching(/127\.0\.0\.1|::1/), userAgent: 'Inbox-Test/member' },
      correlationId: record!.correlationId,
    });
  });

  it("records the patient's read of their own thread", async () => {
    const response = await opened(200, app, `/mailbox/threads/${threadId}`, PATIENT, 'patient');
    expect(response.body.messages[0].body).toBe(BODY);
    const records = await recordsOf(threadId, 2);
    expect(records[1]!.data).toMatchObject({
      actor: { kind: 'patient', id: PATIENT },
      action: 'thread.read',
      source: { userAgent: 'Inbox-Test/patient' },
    });
  });

  it('records a refused read with its code, before the 404; a listing is no read of its threads', async () => {
    await opened(404, app, `/inbox/threads/${threadId}`, 'mbr_stranger', 'member');
    await opened(404, app, `/mailbox/threads/${threadId}`, 'pat_other', 'patient');
    await listing();
    await opened(200, app, `/inbox/threads/${threadId}`, ADMIN, 'member');
    // Same partition (the practice's key), in order: the fifth record is the admin's second read.
    const records = await recordsOf(threadId, 5);
    expect(
      records.map((r) => [r.data.actor.kind, r.data.actor.id, r.data.outcome, r.data.refusal]),
    ).toEqual([
      ['member', ADMIN, 'served', null],
      ['patient', PATIENT, 'served', null],
      ['member', 'mbr_stranger', 'refused', 'thread-not-found'],
      ['patient', 'pat_other', 'refused', 'thread-not-found'],
      ['member', ADMIN, 'served', null],
    ]);
    expect(records[2]!.data).toMatchObject({ action: 'thread.read', threadIds: [threadId] });
  });

  it('records nothing for a path id no record can name, and answers it as before', async () => {
    const malformed = 'x'.repeat(129);
    await opened(404, app, `/inbox/threads/${malformed}`, ADMIN, 'member');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(
      audit.ofType(AccessRecordedV2.type).filter((e) => JSON.stringify(e.data).includes(malformed)),
    ).toEqual([]);
  });

  it('puts no subject, body or name into a record', async () => {
    const records = await recordsOf(threadId, 5);
    for (const record of records) {
      const wire = JSON.stringify(record);
      for (const phi of [SUBJECT, BODY, 'Alice Admin', 'Ruth Patient', 'Billing Team']) {
        expect(wire).not.toContain(phi);
      }
    }
    expect(audit.invalid).toEqual([]);
  });
});

describe('listings are recorded with the ids shown, never the subjects or the search text', () => {
  let threadId: string;

  beforeAll(async () => {
    threadId = await thread();
  }, 60000);

  it("records a member's group listing", async () => {
    const path = `/inbox/groups/${GROUP}/threads?filter=not-replied&limit=100`;
    const { data, shown } = await listingRecord(path, ADMIN, 'member');
    expect(shown).toContain(threadId);
    expect(data).toMatchObject({
      actor: { kind: 'member', id: ADMIN },
      action: 'threads.listed',
      threadId: null,
      threadIds: shown,
      outcome: 'served',
      refusal: null,
      listing: { view: 'group-threads', groupId: GROUP, filter: 'not-replied', searched: false },
    });
  });

  it("records a member's search without its text", async () => {
    const text = 'Audit subject';
    const path = `/inbox/groups/${GROUP}/threads?q=${encodeURIComponent(text)}`;
    const { data, shown } = await listingRecord(path, ADMIN, 'member');
    expect(shown).toContain(threadId);
    expect(data).toMatchObject({
      action: 'threads.searched',
      threadIds: shown,
      listing: { view: 'group-threads', groupId: GROUP, filter: 'all', searched: true },
    });
    expect(JSON.stringify(data)).not.toContain(text);
  });

  it("records a member's direct messages listing, an empty page too", async () => {
    const { data, shown } = await listingRecord('/inbox/direct', ADMIN, 'member');
    expect(shown).toEqual([]);
    expect(data).toMatchObject({
      action: 'threads.listed',
      threadIds: [],
      listing: { view: 'direct-threads', groupId: null, filter: 'all', searched: false },
    });
  });

  it("records a patient's mailbox listing and search", async () => {
    const box = await listingRecord('/mailbox?box=sent', PATIENT, 'patient');
    expect(box.shown).toContain(threadId);
    expect(box.data).toMatchObject({
      actor: { kind: 'patient', id: PATIENT },
      action: 'mailbox.listed',
      threadIds: box.shown,
      listing: { view: 'mailbox', groupId: null, filter: 'sent', searched: false },
    });
    const search = await listingRecord('/mailbox?box=sent&q=Billing', PATIENT, 'patient');
    expect(search.data).toMatchObject({
      action: 'mailbox.searched',
      threadIds: search.shown,
      listing: { view: 'mailbox', groupId: null, filter: 'sent', searched: true },
    });
    for (const phi of [SUBJECT, 'Billing']) expect(JSON.stringify(search.data)).not.toContain(phi);
  });

  it('records no listing for My groups (counts, no thread)', async () => {
    const correlationId = randomUUID();
    await request(app.getHttpServer())
      .get('/inbox/groups')
      .set('authorization', await bearer(ADMIN, 'member'))
      .set('x-correlation-id', correlationId)
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(
      audit.ofType(AccessRecordedV2.type).filter((e) => e.correlationId === correlationId),
    ).toEqual([]);
  });
});

describe("a cover's reads", () => {
  /** A direct message to ADDRESSEE, seen by `members` as routing-assignment decided. */
  async function audience(
    threadId: string,
    audienceVersion: number,
    members: ThreadAudienceChangedV2['members'],
  ) {
    await publish(ThreadAudienceChangedV2, {
      practiceId: practice,
      threadId,
      groupId: null,
      patientId: PATIENT,
      audienceVersion,
      members,
      occurredAt: new Date().toISOString(),
    });
  }
  const coversDirect = async () => {
    const response = await open(app, '/inbox/direct?limit=100', COVER, 'member');
    return ((response.body.threads ?? []) as Listed[]).map((t) => t.threadId);
  };

  it('are recorded as reads by the cover (thread.read-as-cover), for the period only', async () => {
    const threadId = uniqueName('thr');
    const at = new Date().toISOString();
    await publish(MessageSentV1, {
      practiceId: practice,
      threadId,
      messageId: uniqueName('msg'),
      patientId: PATIENT,
      recipientKind: 'member',
      groupId: null,
      memberId: ADDRESSEE,
      subject: SUBJECT,
      body: BODY,
      followUp: false,
      threadVersion: 1,
      sentAt: at,
    });
    await publish(MessageRoutedV1, {
      practiceId: practice,
      threadId,
      groupId: null,
      threadVersion: 1,
      occurredAt: at,
      patientId: PATIENT,
      routing: 'direct',
      memberId: ADDRESSEE,
    });
    await audience(threadId, 1, [
      { memberId: ADDRESSEE, reason: 'addressee' },
      { memberId: COVER, reason: 'cover' },
    ]);
    await waitFor(coversDirect, (ids) => ids.includes(threadId), {
      timeoutMs: 30000,
      description: "the direct message in the cover's inbox",
    });
    const read = await opened(200, app, `/inbox/threads/${threadId}`, COVER, 'member');
    expect(read.body.subject).toBe(SUBJECT);
    // The timeline stays the addressee's.
    expect(read.body.timeline).toBeNull();
    const [record] = await recordsOf(threadId, 1);
    expect(record!.data).toMatchObject({
      actor: { kind: 'member', id: COVER },
      action: 'thread.read-as-cover',
      threadId,
    });

    // The period ends: the cover's entry goes, and so does their access.
    await audience(threadId, 2, [{ memberId: ADDRESSEE, reason: 'addressee' }]);
    await waitFor(coversDirect, (ids) => !ids.includes(threadId), {
      timeoutMs: 30000,
      description: "the direct message gone from the cover's inbox",
    });
    await opened(404, app, `/inbox/threads/${threadId}`, COVER, 'member');
    await opened(200, app, `/inbox/threads/${threadId}`, ADDRESSEE, 'member');
    const records = await recordsOf(threadId, 3);
    expect(records.map((r) => `${r.data.actor.id}:${r.data.action}:${r.data.outcome}`)).toEqual([
      `${COVER}:thread.read-as-cover:served`,
      `${COVER}:thread.read:refused`,
      `${ADDRESSEE}:thread.read:served`,
    ]);
  });
});

/** A recorder whose store is down. */
class FailingRecorder extends ThreadReadRecorder {
  readonly attempts: Access[] = [];
  async record(access: Access): Promise<void> {
    this.attempts.push(access);
    throw new Error('access records store unreachable');
  }
}

describe('when the read cannot be recorded', () => {
  let failing: INestApplication;
  const recorder = new FailingRecorder();

  beforeAll(async () => {
    // Same database as the running service (its read model), its own consumer group.
    const config = loadConfig({ ...environment, KAFKA_CONSUMER_GROUP: uniqueName('it-failing') });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] })
      .overrideProvider(ThreadReadRecorder)
      .useValue(recorder)
      .compile();
    failing = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    configureHttp(failing, config, SERVICE);
    await failing.init();
  }, 120000);

  afterAll(async () => {
    await failing?.close();
  });

  it('answers 503 to the member and the patient, serves nothing and marks nothing read', async () => {
    const threadId = await thread();
    for (const [path, sub, actor] of [
      [`/inbox/threads/${threadId}`, ADMIN, 'member'],
      [`/mailbox/threads/${threadId}`, PATIENT, 'patient'],
    ] as const) {
      const response = await opened(503, failing, path, sub, actor);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe('access-audit-unavailable');
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(SUBJECT);
      expect(text).not.toContain(BODY);
    }
    expect(
      recorder.attempts.map((a) => [a.actor.kind, a.action, 'threadId' in a && a.threadId]),
    ).toEqual([
      ['member', 'thread.read', threadId],
      ['patient', 'thread.read', threadId],
    ]);
    const listed = (await listing()).find((t) => t.threadId === threadId);
    expect(listed?.unread).toBe(true);
  });

  it('answers 503 to a listing, showing no subject', async () => {
    for (const [path, sub, actor] of [
      [`/inbox/groups/${GROUP}/threads`, ADMIN, 'member'],
      ['/inbox/direct', ADMIN, 'member'],
      ['/mailbox', PATIENT, 'patient'],
    ] as const) {
      const response = await opened(503, failing, path, sub, actor);
      expect(response.body.code).toBe('access-audit-unavailable');
      expect(JSON.stringify(response.body)).not.toContain(SUBJECT);
    }
  });
});
