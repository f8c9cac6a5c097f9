/**
 * Batch consumption against real Kafka and the real MongoDB-protocol
 * server: what a fetch brings is applied together, in order, with no dedupe
 * store when the handler's writes are version-checked; an event the batch
 * cannot take sends its batch through the one-at-a-time path, which
 * dead-letters that event and applies the others.
 */
import { deadLetterTopic, toWireRecord, type EventEnvelope } from '@gm/contracts';
import { testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import type { Kafka, Producer } from 'kafkajs';
import { MongoClient, type Collection } from 'mongodb';
import { readDeadLetters } from '../walking-skeleton/dead-letters.fixture.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';
import { createKafka } from '../kafka-client.js';
import { silentLogger } from '../logger.js';
import { ensureTopics } from '../topic-admin.js';
import { UnprocessableEvent } from './errors.js';
import { EventConsumer } from './event-consumer.js';

interface MemberDocument {
  _id: string;
  version: number;
  displayName: string;
}

const infra = testInfrastructure();
const topic = uniqueName('it.batch');
const groupId = uniqueName('it-batch');
const practiceId = uniqueName('prc');

let mongo: MongoClient;
let kafka: Kafka;
let producer: Producer;
let members: Collection<MemberDocument>;
let consumer: EventConsumer;
const batchSizes: number[] = [];

/** A version-checked upsert: applying an event again, or an older one, changes nothing. */
async function apply(envelope: EventEnvelope): Promise<void> {
  const data = envelope.data as { memberId: string; version: number; displayName: string };
  if (data.displayName === 'unprocessable') throw new UnprocessableEvent('breaks a rule');
  const stored = await members.findOne({ _id: data.memberId });
  if (stored && stored.version >= data.version) return;
  await members.replaceOne(
    { _id: data.memberId },
    { version: data.version, displayName: data.displayName },
    { upsert: true },
  );
}

beforeAll(async () => {
  mongo = await new MongoClient(infra.mongoUri, { retryWrites: false }).connect();
  members = mongo.db(uniqueName('batch')).collection<MemberDocument>('members');
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'batch-consumer' }, silentLogger);
  await ensureTopics(
    kafka,
    [
      { name: topic, compacted: false, partitions: 1 },
      { name: deadLetterTopic(groupId), compacted: false, partitions: 1 },
    ],
    { replicationFactor: 1 },
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  await consumer?.stop();
  await producer?.disconnect();
  await mongo?.db(members.dbName).dropDatabase();
  await mongo?.close();
});

const record = (
  memberId: string,
  version: number,
  displayName = `Member ${memberId} v${version}`,
) => toWireRecord(memberChanged(topic, practiceId, memberId, version, displayName).envelope);

it('applies what a fetch brings together and in order, dead-letters only the event it cannot take', async () => {
  // Written before the consumer starts, so its first fetch holds them all.
  const versions = Array.from({ length: 50 }, (_, i) => i + 1);
  await producer.send({
    topic,
    acks: -1,
    messages: [
      ...versions.map((v) => record('ann', v)),
      record('bob', 1, 'unprocessable'),
      record('bob', 2),
      { ...record('cy', 1), value: '{not json' },
      record('cy', 2),
      record('ann', 3), // a late, older version: changes nothing
    ],
  });
  consumer = new EventConsumer({
    kafka,
    groupId,
    topics: [topic],
    handler: apply,
    batchHandler: async (envelopes) => {
      batchSizes.push(envelopes.length);
      for (const envelope of envelopes) await apply(envelope);
    },
    deadLetters: producer,
    logger: silentLogger,
    retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
  });
  await consumer.start();

  await waitFor(
    async () => consumer.stats.applied + consumer.stats.deadLettered,
    (n) => n >= 55,
    { description: 'all 55 records taken' },
  );
  expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  expect(await members.find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 'ann', version: 50, displayName: 'Member ann v50' },
    { _id: 'bob', version: 2, displayName: 'Member bob v2' },
    { _id: 'cy', version: 2, displayName: 'Member cy v2' },
  ]);
  expect(consumer.stats.deadLettered).toBe(2);
  const letters = await readDeadLetters(kafka, groupId, 2);
  expect(letters.map((m) => m.headers?.['x-dead-letter-reason']?.toString())).toEqual(
    expect.arrayContaining([
      expect.stringContaining('breaks a rule'),
      expect.stringContaining('not JSON'),
    ]),
  );
});
