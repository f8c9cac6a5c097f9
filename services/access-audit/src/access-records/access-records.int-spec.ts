/**
 * The access audit trail against the real servers: AccessRecorded events
 * (v1 as published before, v2 with listings and refusals) published onto
 * gm.access-audit as routing-assignment and inbox-projection would, the
 * directory fed over Kafka for the audit privilege, every read over HTTP.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  AccessRecordedV1,
  AccessRecordedV2,
  buildEnvelope,
  PRIVILEGES,
  toWireRecord,
  type EventEnvelope,
} from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { createKafka, silentLogger } from '@gm/messaging';
import {
  DirectoryFeed,
  monitoredUri,
  padCollections,
  QueryPlans,
  startServiceForTest,
  TEST_JWT_SECRET,
  testEnvironment,
  testInfrastructure,
  uniqueName,
  waitFor,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';
import { RecordAccessCommand } from './application/record-access/record-access.command.js';
import type { AccessRecord } from './domain/access-record.js';
import { ACCESS_RECORDS_COLLECTION } from './infrastructure/access-records.repository.js';

const practice = uniqueName('prc');
const otherPractice = uniqueName('prc_other');
const AUDITOR = 'mbr_auditor';
const CLERK = 'mbr_clerk';
const OTHER_AUDITOR = 'mbr_other_auditor';

let app: INestApplication;
let producer: Producer;

const api = () => request(app.getHttpServer());
const bearer = async (sub: string, practiceId = practice, actor: ActorKind = 'member') =>
  `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor })}`;
const list = async (query: string, sub = AUDITOR, practiceId = practice, actor?: ActorKind) =>
  api()
    .get(`/access-records${query}`)
    .set('authorization', await bearer(sub, practiceId, actor));
/** The response, after checking its status. */
async function listed(
  status: number,
  query: string,
  sub = AUDITOR,
  practiceId = practice,
  actor?: ActorKind,
) {
  const response = await list(query, sub, practiceId, actor);
  expect({ status: response.status, body: response.body }).toMatchObject({ status });
  return response;
}

type Fields = Partial<Omit<AccessRecordedV1, 'recordId' | 'practiceId'>>;

/** An AccessRecorded event as a recording service builds it (record id = event id). */
function recorded(fields: Fields = {}, practiceId = practice): EventEnvelope<AccessRecordedV1> {
  const recordId = randomUUID();
  const occurredAt = fields.occurredAt ?? new Date().toISOString();
  const data: AccessRecordedV1 = {
    recordId,
    practiceId,
    actor: { kind: 'member', id: 'mbr_alice' },
    action: 'thread.read',
    threadId: uniqueName('thr'),
    source: { ip: '203.0.113.24', userAgent: 'Mozilla/5.0 (test)' },
    correlationId: randomUUID(),
    ...fields,
    occurredAt,
  };
  return buildEnvelope(AccessRecordedV1, data, {
    id: recordId,
    source: '/services/inbox-projection',
    time: occurredAt,
    practiceId,
    correlationId: data.correlationId,
  });
}

async function publish(...envelopes: EventEnvelope[]): Promise<void> {
  await producer.send({
    topic: AccessRecordedV1.topic.name,
    acks: -1,
    messages: envelopes.map((envelope) => toWireRecord(envelope)),
  });
}

const recordIds = (body: { records: { recordId: string }[] }) =>
  body.records.map((record) => record.recordId);

/** Waits until the auditor's query returns exactly `count` records. */
const untilListed = (query: string, count: number, sub = AUDITOR, practiceId = practice) =>
  waitFor(
    async () => (await list(query, sub, practiceId)).body as { records: AccessRecord[] },
    (body) => body.records?.length === count,
    { timeoutMs: 60000, description: `${count} records for ${query}` },
  );

beforeAll(async () => {
  producer = createKafka(
    { brokers: testInfrastructure().kafkaBrokers, clientId: 'access-audit-it' },
    silentLogger,
  ).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const [practiceId, auditor] of [
    [practice, AUDITOR],
    [otherPractice, OTHER_AUDITOR],
  ] as const) {
    const feed = new DirectoryFeed(producer, practiceId);
    await feed.practice({ name: 'Riverside', plan: 'paid' });
    await feed.role({
      roleId: 'role_compliance',
      name: 'Compliance',
      privileges: [PRIVILEGES.auditRead],
    });
    await feed.role({
      roleId: 'role_front',
      name: 'Front Desk',
      privileges: [PRIVILEGES.messageGroupsSettings],
    });
    await feed.member({
      memberId: auditor,
      displayName: 'Auditor',
      roleId: 'role_compliance',
      active: true,
    });
    await feed.member({
      memberId: CLERK,
      displayName: 'Clerk',
      roleId: 'role_front',
      active: true,
    });
  }
  // Published before the service starts: once the auditors can list these, the service has
  // read the directory topics and the audit topic up to here (a fresh consumer group reads
  // every topic from the beginning, which takes a minute or more on a busy machine).
  const sentinels = [recorded({}, practice), recorded({}, otherPractice)];
  await publish(...sentinels);
  // Its own client reports its commands: the query plans at the end explain what it sent.
  app = await startServiceForTest(
    (c) => AppModule.forConfig(c),
    loadConfig({ ...testEnvironment(), MONGODB_URI: monitoredUri(testInfrastructure().mongoUri) }),
    SERVICE,
  );
  const replica = app.get(DirectoryReplica);
  await waitFor(
    () => replica.privilegesOf(practice, CLERK),
    (clerk) => clerk.size > 0,
    { timeoutMs: 150000, description: 'the directory replica to catch up' },
  );
  for (const [sentinel, auditor, practiceId] of [
    [sentinels[0]!, AUDITOR, practice],
    [sentinels[1]!, OTHER_AUDITOR, otherPractice],
  ] as const) {
    await waitFor(
      async () => (await list(`?threadId=${sentinel.data.threadId}`, auditor, practiceId)).body,
      (body) => body.records?.length === 1,
      { timeoutMs: 60000, description: 'the audit topic to be read up to the sentinels' },
    );
  }
}, 240000);

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
});

describe('records arrive and are kept as reported', () => {
  const threadId = uniqueName('thr');
  let first: EventEnvelope<AccessRecordedV1>;

  it('stores what routing-assignment and inbox-projection publish, newest first', async () => {
    first = recorded({ threadId, occurredAt: '2025-03-09T09:00:00.000Z' });
    const patientRead = recorded({
      threadId,
      actor: { kind: 'patient', id: 'pat_ruth' },
      occurredAt: '2025-03-09T09:05:00.000Z',
      source: { ip: '198.51.100.7', userAgent: 'mPHR/4.2 (iOS)' },
    });
    const unassigned = recorded({
      threadId,
      action: 'thread.unassigned',
      actor: { kind: 'system', id: 'routing-assignment' },
      occurredAt: '2025-03-09T09:10:00.000Z',
      source: { ip: null, userAgent: null },
    });
    await publish(first, patientRead, unassigned);
    const window = '&from=2025-03-01T00:00:00Z&to=2025-03-31T00:00:00Z';
    const { records } = await untilListed(`?threadId=${threadId}${window}`, 3);
    expect(records.map((r) => r.recordId)).toEqual([unassigned.id, patientRead.id, first.id]);
    expect(records[1]).toEqual({
      recordId: patientRead.id,
      practiceId: practice,
      actor: { kind: 'patient', id: 'pat_ruth' },
      action: 'thread.read',
      threadId,
      // A v1 record reads as a served access to its one thread.
      threadIds: [threadId],
      outcome: 'served',
      refusal: null,
      listing: null,
      occurredAt: '2025-03-09T09:05:00.000Z',
      source: { ip: '198.51.100.7', userAgent: 'mPHR/4.2 (iOS)' },
      correlationId: patientRead.correlationId,
      recordedBy: '/services/inbox-projection',
    });
    expect(records[0]!.source).toEqual({ ip: null, userAgent: null });
  });

  it('stores a redelivered event once', async () => {
    await publish(first, first);
    const marker = recorded({ threadId, occurredAt: '2025-03-09T09:20:00.000Z' });
    await publish(marker);
    // The marker comes after the repeats on the same partition (same practice key): once it is in, they were seen.
    const window = '&from=2025-03-01T00:00:00Z&to=2025-03-31T00:00:00Z';
    const { records } = await untilListed(`?threadId=${threadId}${window}`, 4);
    expect(records.filter((r) => r.recordId === first.id)).toHaveLength(1);
  });

  it('never rewrites a stored record: the same record id again changes nothing', async () => {
    const commands = app.get(CommandBus);
    const stored = await waitFor(
      async () =>
        app
          .get<Connection>(getConnectionToken())
          .collection(ACCESS_RECORDS_COLLECTION)
          .findOne({ _id: first.id as never }),
      (found) => found !== null,
    );
    const forged: AccessRecord = {
      recordId: first.id,
      practiceId: practice,
      actor: { kind: 'member', id: 'mbr_someone_else' },
      action: 'thread.trashed',
      threadId,
      threadIds: [threadId],
      outcome: 'served',
      refusal: null,
      listing: null,
      occurredAt: '2025-03-09T09:00:00.000Z',
      source: { ip: '192.0.2.1', userAgent: 'forged' },
      correlationId: 'forged',
      recordedBy: '/forged',
    };
    expect(await commands.execute(new RecordAccessCommand(forged))).toBe(false);
    const after = await app
      .get<Connection>(getConnectionToken())
      .collection(ACCESS_RECORDS_COLLECTION)
      .findOne({ _id: first.id as never });
    expect(after).toEqual(stored);
  });

  it('has no route that changes or removes a record', async () => {
    const authorization = await bearer(AUDITOR);
    for (const path of ['/access-records', `/access-records/${first.id}`]) {
      for (const method of ['put', 'patch', 'delete', 'post'] as const) {
        const response = await api()[method](path).set('authorization', authorization).send({});
        expect([404, 405]).toContain(response.status);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    }
    const window = '&from=2025-03-01T00:00:00Z&to=2025-03-31T00:00:00Z';
    const { records } = await untilListed(`?threadId=${threadId}${window}`, 4);
    expect(records.find((r) => r.recordId === first.id)).toMatchObject({
      actor: { kind: 'member', id: 'mbr_alice' },
      action: 'thread.read',
    });
  });
});

describe('querying the trail', () => {
  const threadA = uniqueName('thr_a');
  const threadB = uniqueName('thr_b');
  const window = '&from=2025-04-01T00:00:00Z&to=2025-04-30T23:59:59Z';
  const events: EventEnvelope<AccessRecordedV1>[] = [];

  beforeAll(async () => {
    // Twelve records over six days, two threads, two members, three actions.
    for (let i = 0; i < 12; i++) {
      events.push(
        recorded({
          threadId: i % 2 === 0 ? threadA : threadB,
          actor: { kind: 'member', id: i % 3 === 0 ? 'mbr_bob' : 'mbr_carol' },
          action: (['thread.read', 'thread.assigned', 'thread.replied'] as const)[i % 3],
          occurredAt: new Date(
            Date.parse('2025-04-10T08:00:00.000Z') + i * 12 * 3600_000,
          ).toISOString(),
        }),
      );
    }
    // One outside the window, one on the same thread of another practice.
    events.push(recorded({ threadId: threadA, occurredAt: '2025-05-02T00:00:00.000Z' }));
    await publish(...events, recorded({ threadId: threadA }, otherPractice));
    await untilListed(`?threadId=${threadA}&from=2025-04-01T00:00:00Z&to=2025-05-31T00:00:00Z`, 7);
    await untilListed(`?threadId=${threadB}${window}`, 6);
  });

  const newestFirst = (chosen: EventEnvelope<AccessRecordedV1>[]) =>
    chosen
      .filter((e) => e.data.occurredAt <= '2025-04-30T23:59:59.000Z')
      .sort((a, b) => (a.data.occurredAt < b.data.occurredAt ? 1 : -1))
      .map((e) => e.id);

  it.each([
    [
      'thread',
      (e: EventEnvelope<AccessRecordedV1>) => e.data.threadId === threadA,
      `threadId=${threadA}`,
    ],
    [
      'actor',
      (e: EventEnvelope<AccessRecordedV1>) => e.data.actor.id === 'mbr_bob',
      'actorId=mbr_bob',
    ],
    [
      'action and thread',
      (e: EventEnvelope<AccessRecordedV1>) =>
        e.data.action === 'thread.assigned' && e.data.threadId === threadB,
      `action=thread.assigned&threadId=${threadB}`,
    ],
  ])('filters by %s', async (_label, predicate, query) => {
    const response = await listed(200, `?${query}${window}`);
    expect(recordIds(response.body)).toEqual(newestFirst(events.filter(predicate)));
  });

  it('keeps to the time window', async () => {
    const response = await listed(
      200,
      `?threadId=${threadA}&from=2025-04-11T00:00:00Z&to=2025-04-12T23:59:59Z`,
    );
    expect(response.body.records.map((r: AccessRecord) => r.occurredAt)).toEqual([
      '2025-04-12T08:00:00.000Z',
      '2025-04-11T08:00:00.000Z',
    ]);
  });

  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?threadId=${threadB}${window}&limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await listed(200, query);
      seen.push(...recordIds(response.body));
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(newestFirst(events.filter((e) => e.data.threadId === threadB)));
  });

  it.each([
    ['an unknown filter', '?patientId=pat_ruth', 422, 'validation-failed'],
    ['a $-operator', '?threadId[$ne]=x', 422, 'validation-failed'],
    ['a limit over 200', '?limit=500', 422, 'validation-failed'],
    ['an action that is not area.verb', '?action=DROP', 422, 'validation-failed'],
    ['an unknown outcome', '?outcome=denied', 422, 'validation-failed'],
    ['an outcome given twice', '?outcome=served&outcome=refused', 422, 'validation-failed'],
    ['a date without a zone', '?from=2025-04-01', 422, 'invalid-window'],
    ['from after to', '?from=2025-04-02T00:00:00Z&to=2025-04-01T00:00:00Z', 422, 'invalid-window'],
    [
      'a window over 366 days',
      '?from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z',
      422,
      'window-too-long',
    ],
    ['a forged cursor', '?cursor=bm90LWEtdGltZXx4', 422, 'invalid-cursor'],
  ])('answers %s with problem+json', async (_label, query, status, code) => {
    const response = await listed(status, query);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe(code);
  });
});

type FieldsV2 = Partial<Omit<AccessRecordedV2, 'recordId' | 'practiceId'>>;

/** An AccessRecorded v2 event as the services publish it now: a served read unless told otherwise. */
function recordedV2(fields: FieldsV2 = {}): EventEnvelope<AccessRecordedV2> {
  const recordId = randomUUID();
  const occurredAt = fields.occurredAt ?? new Date().toISOString();
  const threadId = fields.threadId === undefined ? uniqueName('thr') : fields.threadId;
  const data: AccessRecordedV2 = {
    recordId,
    practiceId: practice,
    actor: { kind: 'member', id: 'mbr_alice' },
    action: 'thread.read',
    threadId,
    threadIds: threadId === null ? [] : [threadId],
    outcome: 'served',
    refusal: null,
    listing: null,
    source: { ip: '203.0.113.24', userAgent: 'Mozilla/5.0 (test)' },
    correlationId: randomUUID(),
    ...fields,
    occurredAt,
  };
  return buildEnvelope(AccessRecordedV2, data, {
    id: recordId,
    source: '/services/inbox-projection',
    time: occurredAt,
    practiceId: practice,
    correlationId: data.correlationId,
  });
}

describe('listings and refusals (v2), beside v1 records', () => {
  const shown = uniqueName('thr_shown');
  const other = uniqueName('thr_other');
  const window = '&from=2025-06-01T00:00:00Z&to=2025-06-30T23:59:59Z';
  const at = (hour: number) => `2025-06-10T${String(hour).padStart(2, '0')}:00:00.000Z`;
  let v1Read: EventEnvelope<AccessRecordedV1>;
  let listing: EventEnvelope<AccessRecordedV2>;
  let search: EventEnvelope<AccessRecordedV2>;
  let refused: EventEnvelope<AccessRecordedV2>;
  let v2Read: EventEnvelope<AccessRecordedV2>;

  beforeAll(async () => {
    v1Read = recorded({ threadId: shown, occurredAt: at(8) });
    listing = recordedV2({
      action: 'threads.listed',
      threadId: null,
      threadIds: [other, shown],
      listing: { view: 'group-threads', groupId: 'grp_billing', filter: 'all', searched: false },
      occurredAt: at(9),
    });
    search = recordedV2({
      action: 'mailbox.searched',
      actor: { kind: 'patient', id: 'pat_ruth' },
      threadId: null,
      threadIds: [other],
      listing: { view: 'mailbox', groupId: null, filter: 'inbox', searched: true },
      occurredAt: at(10),
    });
    refused = recordedV2({
      threadId: shown,
      actor: { kind: 'member', id: 'mbr_stranger' },
      outcome: 'refused',
      refusal: 'thread-not-found',
      occurredAt: at(11),
    });
    v2Read = recordedV2({ threadId: shown, occurredAt: at(12) });
    await publish(v1Read, listing, search, refused, v2Read);
    await untilListed(`?threadId=${other}${window}`, 2);
    await untilListed(`?threadId=${shown}${window}`, 4);
  });

  it('stores the new fields and returns them', async () => {
    const { body } = await listed(200, `?threadId=${other}${window}`);
    expect(body.records).toEqual([
      expect.objectContaining({
        recordId: search.id,
        action: 'mailbox.searched',
        threadId: null,
        threadIds: [other],
        outcome: 'served',
        refusal: null,
        listing: { view: 'mailbox', groupId: null, filter: 'inbox', searched: true },
      }),
      expect.objectContaining({
        recordId: listing.id,
        threadIds: [other, shown],
        listing: { view: 'group-threads', groupId: 'grp_billing', filter: 'all', searched: false },
      }),
    ]);
  });

  it("finds a thread's reads of both versions, its refusals and the listings that showed it", async () => {
    const { body } = await listed(200, `?threadId=${shown}${window}`);
    expect(recordIds(body)).toEqual([v2Read.id, refused.id, listing.id, v1Read.id]);
  });

  it.each([
    ['outcome=refused', () => [refused.id]],
    ['outcome=served', () => [v2Read.id, listing.id, v1Read.id]],
    ['action=threads.listed', () => [listing.id]],
    ['outcome=refused&actorId=mbr_stranger', () => [refused.id]],
  ])('filters by %s', async (query, expected) => {
    const { body } = await listed(200, `?threadId=${shown}&${query}${window}`);
    expect(recordIds(body)).toEqual(expected());
  });

  it('filters refusals across the practice, with the code', async () => {
    const { body } = await listed(200, `?outcome=refused${window}`);
    expect(body.records).toEqual([
      expect.objectContaining({
        recordId: refused.id,
        threadId: shown,
        threadIds: [shown],
        outcome: 'refused',
        refusal: 'thread-not-found',
        listing: null,
      }),
    ]);
  });

  it('pages a thread filter across its reads and listings without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?threadId=${shown}${window}&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await listed(200, query);
      seen.push(...recordIds(response.body));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([v2Read.id, refused.id, listing.id, v1Read.id]);
  });
});

describe('who may read the trail', () => {
  it('refuses a member without the audit privilege', async () => {
    const response = await listed(403, '', CLERK);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('privilege-required');
  });

  it('refuses a member the directory does not know', async () => {
    expect((await listed(403, '', 'mbr_unknown')).body.code).toBe('privilege-required');
  });

  it.each(['patient', 'system'] as const)('refuses a %s token', async (actor) => {
    const response = await listed(403, '', 'pat_ruth', practice, actor);
    expect(response.body.code).toBe('actor-not-allowed');
  });

  it('refuses a request without a token', async () => {
    await api().get('/access-records').expect(401);
  });

  it("shows a practice's auditor its own records only, whatever the filters", async () => {
    const shared = uniqueName('thr_shared');
    const ours = recorded({ threadId: shared });
    const theirs = recorded({ threadId: shared }, otherPractice);
    await publish(ours, theirs);
    const mine = await untilListed(`?threadId=${shared}`, 1);
    expect(recordIds(mine)).toEqual([ours.id]);
    const other = await untilListed(`?threadId=${shared}`, 1, OTHER_AUDITOR, otherPractice);
    expect(recordIds(other)).toEqual([theirs.id]);
    // Our auditor named in a token of the other practice holds no privilege there.
    expect((await listed(403, `?threadId=${shared}`, AUDITOR, otherPractice)).body.code).toBe(
      'privilege-required',
    );
  });
});

describe('the filtered queries on a store with history', () => {
  it('are served by indexes (thread, listings that showed it, outcome, actor, action)', async () => {
    const connection = app.get<Connection>(getConnectionToken());
    await padCollections(connection.db!);
    const plans = new QueryPlans(connection.getClient()).start();
    const window = '&from=2025-06-01T00:00:00Z&to=2025-06-02T23:59:59Z';
    for (const query of [
      '?threadId=thr_any',
      '?outcome=refused',
      '?outcome=served&actorId=mbr_alice',
      '?action=threads.listed&threadId=thr_any',
      '?actorId=mbr_alice&limit=1',
    ]) {
      await listed(200, `${query}${window}`);
    }
    plans.stop();
    const trail = plans.finds().filter((find) => find.collection === ACCESS_RECORDS_COLLECTION);
    expect(trail.length).toBeGreaterThan(3);
    expect(await plans.sequentialScans()).toEqual([]);
  });
});
