/**
 * Walking skeleton against the real servers: an event written through the
 * outbox in one service's database crosses real Kafka into another service's
 * consumer and lands in that service's MongoDB collection exactly once, even
 * across a producer crash, duplicate deliveries and poison records.
 */
import { deadLetterTopic, toWireRecord } from '@gm/contracts';
import { testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { EventConsumer, type EventHandler } from '../consumer/event-consumer.js';
import { UnprocessableEvent } from '../consumer/errors.js';
import { MongoProcessedEvents } from '../consumer/processed-events.js';
import { createKafka } from '../kafka-client.js';
import { silentLogger } from '../logger.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { outboxForInsert } from '../outbox/outbox-writes.js';
import { RedisDocumentLocks } from '../lease/redis-document-locks.js';
import { RedisLease } from '../lease/redis-lease.js';
import { OutboxCollection } from '../outbox/outbox-collection.js';
import { ensureTopics } from '../topic-admin.js';
import { readDeadLetters } from './dead-letters.fixture.js';
import { memberChanged } from './member-events.fixture.js';

interface ReplicaDocument {
  _id: string;
  applications: number;
  versions: number[];
}

const infra = testInfrastructure();
const topic = uniqueName('it.members');
const practiceId = uniqueName('prc');
const groupId = uniqueName('it-replica');

let mongo: MongoClient;
let kafka: Kafka;
let redis: Redis;
let producerDb: Db;
let members: Collection;
let replica: Collection<ReplicaDocument>;
let producer: Producer;
const running: { stop(): Promise<void> }[] = [];

/** The consuming service's projector: deliberately not idempotent ($inc), so only the consumer's dedupe keeps it exact. */
const applyToReplica: EventHandler = async (envelope) => {
  const data = envelope.data as { memberId: string; version: number; displayName: string };
  if (data.displayName === 'poison') throw new Error('handler cannot apply this member');
  if (data.displayName === 'unprocessable') throw new UnprocessableEvent('breaks a rule');
  await replica.updateOne(
    { _id: data.memberId },
    { $inc: { applications: 1 }, $push: { versions: data.version } },
    { upsert: true },
  );
};

function startRelay(leaseKey = `it:lease:${topic}`): OutboxRelay {
  const relay = new OutboxRelay({
    collections: [members],
    producer,
    lease: new RedisLease(redis, leaseKey, uniqueName('relay'), 5000),
    locks: new RedisDocumentLocks(redis),
    logger: silentLogger,
    pollIntervalMs: 100,
  });
  relay.start();
  running.push(relay);
  return relay;
}

async function startConsumer(): Promise<EventConsumer> {
  const consumer = new EventConsumer({
    kafka,
    groupId,
    topics: [topic],
    handler: applyToReplica,
    processed: new MongoProcessedEvents(
      mongo.db(uniqueName('consumer_ids')).collection('processed_events'),
    ),
    deadLetters: producer,
    logger: silentLogger,
    retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
  });
  await consumer.start();
  running.push(consumer);
  return consumer;
}

const replicaOf = (memberId: string) => replica.findOne({ _id: memberId });

beforeAll(async () => {
  mongo = await new MongoClient(infra.mongoUri, { retryWrites: false }).connect();
  producerDb = mongo.db(uniqueName('producer'));
  members = producerDb.collection('members');
  replica = mongo.db(uniqueName('replica')).collection<ReplicaDocument>('member_replica');
  redis = new Redis(infra.redisUrl);
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'walking-skeleton' }, silentLogger);
  await ensureTopics(
    kafka,
    [
      { name: topic, compacted: false, partitions: 3 },
      { name: deadLetterTopic(groupId), compacted: false, partitions: 1 },
    ],
    { replicationFactor: 1 },
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await startConsumer();
});

afterAll(async () => {
  for (const part of running.reverse()) await part.stop();
  await producer?.disconnect();
  redis?.disconnect();
  await mongo?.close();
});

it('delivers an event written through the outbox into the other service exactly once', async () => {
  const relay = startRelay();
  const event = memberChanged(topic, practiceId, 'alice', 1);
  await members.insertOne({ _id: 'alice' as never, ...outboxForInsert([event]) });
  relay.nudge();

  const applied = await waitFor(
    () => replicaOf('alice'),
    (doc) => doc?.applications === 1,
    {
      description: 'alice in the replica',
    },
  );
  expect(applied).toMatchObject({ applications: 1, versions: [1] });
  await waitFor(
    () => members.findOne({ _id: 'alice' as never }),
    (doc) => doc?._outboxPending === false,
    {
      description: 'outbox cleared',
    },
  );
  expect((await members.findOne({ _id: 'alice' as never }))?._outbox).toEqual([]);
});

it("keeps the order of one aggregate's events", async () => {
  startRelay();
  await members.insertOne({
    _id: 'bob' as never,
    ...outboxForInsert([memberChanged(topic, practiceId, 'bob', 1)]),
  });
  const writer = new OutboxCollection(members as never, new RedisDocumentLocks(redis));
  for (let version = 2; version <= 6; version++) {
    await writer.update('bob', {}, { $set: { version } }, [
      memberChanged(topic, practiceId, 'bob', version),
    ]);
  }
  const applied = await waitFor(
    () => replicaOf('bob'),
    (doc) => doc?.versions.length === 6,
    {
      description: "all of bob's events",
    },
  );
  expect(applied!.versions).toEqual([1, 2, 3, 4, 5, 6]);
  expect(applied!.applications).toBe(6);
});

it('delivers the event after the producer is killed between its state write and the publish', async () => {
  for (const part of running.filter((p) => p instanceof OutboxRelay)) await part.stop();
  const child = spawn(
    process.execPath,
    [
      '--import',
      '@swc-node/register/esm-register',
      fileURLToPath(new URL('./write-then-crash.child.ts', import.meta.url)),
    ],
    {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        MONGODB_URI: infra.mongoUri,
        PRODUCER_DB: producerDb.databaseName,
        TOPIC: topic,
        PRACTICE_ID: practiceId,
        MEMBER_ID: 'carol',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_, signal) => resolve(signal)),
  );
  expect(exit).toBe('SIGKILL');
  expect(await members.findOne({ _id: 'carol' as never })).toMatchObject({ _outboxPending: true });
  expect(await replicaOf('carol')).toBeNull();

  startRelay(`it:lease:${topic}:after-restart`);
  const applied = await waitFor(
    () => replicaOf('carol'),
    (doc) => doc?.applications === 1,
    {
      description: 'carol delivered after restart',
    },
  );
  expect(applied!.applications).toBe(1);
});

it('applies an event delivered twice only once', async () => {
  const event = memberChanged(topic, practiceId, 'dave', 1);
  const record = toWireRecord(event.envelope);
  await producer.send({ topic, acks: -1, messages: [record, record] });
  const consumer = running.find((p): p is EventConsumer => p instanceof EventConsumer)!;
  const duplicatesBefore = consumer.stats.duplicates;
  await waitFor(
    async () => consumer.stats.duplicates,
    (n) => n > duplicatesBefore,
    {
      description: 'the second delivery to be seen',
    },
  );
  expect(await replicaOf('dave')).toMatchObject({ applications: 1, versions: [1] });
});

it('dead-letters poison records with the reason and goes on with the next event', async () => {
  const valid = toWireRecord(memberChanged(topic, practiceId, 'erin', 1).envelope);
  const notJson = { ...valid, value: '{not json' };
  const failing = toWireRecord(memberChanged(topic, practiceId, 'erin', 1, 'poison').envelope);
  const rejected = toWireRecord(
    memberChanged(topic, practiceId, 'erin', 1, 'unprocessable').envelope,
  );
  // One key, so one partition, in this order: the valid event comes last.
  await producer.send({ topic, acks: -1, messages: [notJson, failing, rejected, valid] });

  await waitFor(
    () => replicaOf('erin'),
    (doc) => doc?.applications === 1,
    {
      description: 'the event after the poison records',
    },
  );
  const letters = await readDeadLetters(kafka, groupId, 3);
  const reasons = letters.map((m) => m.headers?.['x-dead-letter-reason']?.toString() ?? '');
  expect(reasons).toEqual(
    expect.arrayContaining([
      expect.stringContaining('not JSON'),
      expect.stringContaining('failed after 3 attempts'),
      expect.stringContaining('breaks a rule'),
    ]),
  );
  const original = letters.find((m) =>
    m.headers?.['x-dead-letter-reason']?.toString().includes('not JSON'),
  )!;
  expect(original.value?.toString()).toBe('{not json');
  expect(original.headers?.['ce_type']?.toString()).toBe('gm.directory.member-changed.v1');
  expect(original.headers?.['x-dead-letter-source-topic']?.toString()).toBe(topic);
});
