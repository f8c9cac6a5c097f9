/**
 * The access audit on the practice side of a thread (ADR 0013), against the
 * real servers: reading the timeline, assigning, replying, trashing and
 * restoring each publish one AccessRecorded (v2) on gm.access-audit (ids
 * only), a refused timeline read is recorded with its code, and a timeline
 * read that cannot be recorded is refused with 503 and no content.
 */
import { mintToken } from '@gm/auth';
import type { ThreadAccess } from '@gm/access-recording';
import {
  AccessRecordedV2,
  buildEnvelope,
  MessageAssignedV2,
  MessageGroupCreatedV1,
  MessageSentV1,
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
import { ThreadsRepository } from './infrastructure/threads.repository.js';

const practice = uniqueName('prc');
const ADMIN = 'mbr_admin';
const USER = 'mbr_user';
const GROUP = uniqueName('grp');
const SUBJECT = 'Audit subject that must not leak';
const BODY = 'Audit body that must not leak';
const REPLY = 'Audit reply that must not leak';

let kafka: Kafka;
let producer: Producer;
let app: INestApplication;
let audit: EventsOnTopic;
let environment: Record<string, string>;

const bearer = async (sub: string) =>
  `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId: practice, actor: 'member' })}`;

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

/** A patient's first message to the group, once the service has routed it. */
async function routedThread(): Promise<string> {
  const threadId = uniqueName('thr');
  const sentAt = new Date().toISOString();
  await publish(MessageSentV1, {
    practiceId: practice,
    threadId,
    messageId: uniqueName('msg'),
    patientId: 'pat_ruth',
    recipientKind: 'group',
    groupId: GROUP,
    memberId: null,
    subject: SUBJECT,
    body: BODY,
    followUp: false,
    threadVersion: 1,
    sentAt,
  });
  await waitFor(
    () => app.get(ThreadsRepository).find(practice, threadId),
    (stored) => stored?.state.routing === 'specific-members',
    // The first one waits for a fresh consumer group to read every topic from the start.
    { timeoutMs: 180000, description: `${threadId} routed` },
  );
  return threadId;
}

/** The AccessRecorded events of one thread seen on gm.access-audit, once there are `count`. */
const recordsOf = (threadId: string, count: number) =>
  waitFor(
    async () =>
      audit
        .ofType(AccessRecordedV2.type)
        .filter((e) => (e.data as AccessRecordedV2).threadId === threadId),
    (found) => found.length >= count,
    { timeoutMs: 30000, description: `${count} access records of ${threadId}` },
  ) as Promise<EventEnvelope<AccessRecordedV2>[]>;

beforeAll(async () => {
  kafka = createKafka(
    { brokers: testInfrastructure().kafkaBrokers, clientId: 'routing-audit-it' },
    silentLogger,
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const feed = new DirectoryFeed(producer, practice);
  await feed.practice({ name: 'Riverside', plan: 'paid' });
  await feed.member({ memberId: ADMIN, displayName: 'Alice Admin', roleId: null, active: true });
  await feed.member({ memberId: USER, displayName: 'Umberto User', roleId: null, active: true });
  await publish(MessageGroupCreatedV1, {
    practiceId: practice,
    groupId: GROUP,
    name: 'Billing Team',
    description: '',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [
      { memberId: ADMIN, privilege: 'admin' },
      { memberId: USER, privilege: 'user' },
    ],
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

describe('access audit of the practice side', () => {
  let threadId: string;

  beforeAll(async () => {
    threadId = await routedThread();
  }, 200000);

  it('records a timeline read (who, what, when, from where) before answering', async () => {
    const response = await request(app.getHttpServer())
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await bearer(ADMIN))
      .set('user-agent', 'GroupMessages-Web/2.3')
      .set('x-correlation-id', 'corr-timeline-1')
      .expect(200);
    expect(response.body.entries.length).toBeGreaterThan(0);
    const [record] = await recordsOf(threadId, 1);
    expect(record!.subject).toBe(practice);
    expect(record!.correlationId).toBe('corr-timeline-1');
    expect(record!.data).toEqual({
      recordId: record!.id,
      practiceId: practice,
      actor: { kind: 'member', id: ADMIN },
      action: 'thread.timeline.read',
      threadId,
      threadIds: [threadId],
      outcome: 'served',
      refusal: null,
      listing: null,
      occurredAt: expect.any(String),
      source: { ip: expect.stringMatching(/127\.0\.0\.1|::1/), userAgent: 'GroupMessages-Web/2.3' },
      correlationId: 'corr-timeline-1',
    });
  });

  it('records a refused timeline read with its code before answering it', async () => {
    await request(app.getHttpServer())
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await bearer(USER))
      .expect(403);
    await request(app.getHttpServer())
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await bearer('mbr_stranger'))
      .expect(404);
    await request(app.getHttpServer())
      .get(`/threads/${'x'.repeat(129)}/timeline`)
      .set('authorization', await bearer(ADMIN))
      .expect(404);
    // A later read of the admin's is the next record: the malformed id recorded nothing.
    await request(app.getHttpServer())
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await bearer(ADMIN))
      .expect(200);
    const records = await recordsOf(threadId, 4);
    expect(
      records.map((r) => [r.data.actor.id, r.data.action, r.data.outcome, r.data.refusal]),
    ).toEqual([
      [ADMIN, 'thread.timeline.read', 'served', null],
      [USER, 'thread.timeline.read', 'refused', 'not-group-admin'],
      ['mbr_stranger', 'thread.timeline.read', 'refused', 'thread-not-found'],
      [ADMIN, 'thread.timeline.read', 'served', null],
    ]);
    const all = audit.ofType(AccessRecordedV2.type).map((e) => JSON.stringify(e.data));
    expect(all.filter((wire) => wire.includes('x'.repeat(129)))).toEqual([]);
  });

  it('records assignment, reply, trash and restore with the change, never the text', async () => {
    const post = async (path: string, body?: object) =>
      request(app.getHttpServer())
        .post(`/threads/${threadId}/${path}`)
        .set('authorization', await bearer(ADMIN))
        .set('user-agent', 'GroupMessages-Web/2.3')
        .send(body ?? {});
    expect((await post('assignment', { assigneeMemberId: USER })).status).toBe(200);
    expect((await post('replies', { body: REPLY })).status).toBe(202);
    expect((await post('trash')).status).toBe(200);
    expect((await post('restore')).status).toBe(200);
    const records = await recordsOf(threadId, 8);
    expect(records.slice(4).map((r) => [r.data.action, r.data.actor])).toEqual([
      ['thread.assigned', { kind: 'member', id: ADMIN }],
      ['thread.replied', { kind: 'member', id: ADMIN }],
      ['thread.trashed', { kind: 'member', id: ADMIN }],
      ['thread.restored', { kind: 'member', id: ADMIN }],
    ]);
    for (const record of records) {
      const wire = JSON.stringify(record);
      for (const phi of [SUBJECT, BODY, REPLY, 'Alice Admin', 'Umberto User', 'Billing Team']) {
        expect(wire).not.toContain(phi);
      }
    }
    expect(records[4]!.data.source.userAgent).toBe('GroupMessages-Web/2.3');
    expect(audit.invalid).toEqual([]);
  });

  it('writes the audit record in the same outbox write as the change (one correlation)', async () => {
    const records = await recordsOf(threadId, 8);
    const assigned = records.find((r) => r.data.action === 'thread.assigned')!;
    const threadEvents = await new EventsOnTopic(kafka, TOPICS.threads.name, practice).start();
    try {
      const [event] = await waitFor(
        async () => threadEvents.ofType(MessageAssignedV2.type, threadId),
        (found) => found.length === 1,
        { timeoutMs: 30000, description: 'MessageAssigned on gm.threads' },
      );
      expect(event!.correlationId).toBe(assigned.correlationId);
      expect(assigned.data.occurredAt).toBe((event!.data as MessageAssignedV2).occurredAt);
    } finally {
      await threadEvents.stop();
    }
  });
});

/** A recorder whose store is down. */
class FailingRecorder extends ThreadReadRecorder {
  readonly attempts: ThreadAccess[] = [];
  async record(access: ThreadAccess): Promise<void> {
    this.attempts.push(access);
    throw new Error('access records store unreachable');
  }
}

describe('when the access cannot be recorded', () => {
  let failing: INestApplication;
  const recorder = new FailingRecorder();

  beforeAll(async () => {
    // Same database as the running service (its threads and replicas), its own consumer group.
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

  it('answers 503 access-audit-unavailable and serves no timeline', async () => {
    const threadId = await routedThread();
    const response = await request(failing.getHttpServer())
      .get(`/threads/${threadId}/timeline`)
      .set('authorization', await bearer(ADMIN))
      .set('user-agent', 'Failing-Test/1')
      .expect(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('access-audit-unavailable');
    expect(JSON.stringify(response.body)).not.toMatch(/entries|pat_ruth|Alice Admin/);
    expect(recorder.attempts).toEqual([
      {
        practiceId: practice,
        actor: { kind: 'member', id: ADMIN },
        action: 'thread.timeline.read',
        threadId,
        origin: { ip: expect.any(String), userAgent: 'Failing-Test/1' },
        correlationId: expect.any(String),
      },
    ]);
  });
});
