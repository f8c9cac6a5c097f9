/**
 * The reacting service's barrier (ADR 0018), against real Kafka, FerretDB
 * and Redis: an applied event is reported only after a relay round that
 * left nothing pending, with positions past every reaction published.
 */
import { TOPICS, type ReactionsPublishedV1 } from '@gm/contracts';
import { testInfrastructure, uniqueName } from '@gm/testing';
import { Redis } from 'ioredis';
import type { Kafka, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { MongoClient, type Collection } from 'mongodb';
import { createKafka } from '../kafka-client.js';
import { RedisDocumentLocks } from '../lease/redis-document-locks.js';
import { silentLogger } from '../logger.js';
import { OutboxCollection } from '../outbox/outbox-collection.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { ensureTopics } from '../topic-admin.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';
import { Reactions } from './reactions.js';
import { runInWrite, WriteContext } from './write-context.js';

const REACTIONS_TOPIC = uniqueName('it-reactions');
const SOURCE = '/services/it-reactor';

/** The real producer, with what it sent and where Kafka put it. */
class WatchedProducer {
  readonly sent: { batch: ProducerBatch; placed: RecordMetadata[] }[] = [];
  constructor(private readonly producer: Producer) {}

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    const placed = await this.producer.sendBatch(batch);
    this.sent.push({ batch, placed });
    return placed;
  }

  reports(): ReactionsPublishedV1[] {
    return this.sent.flatMap(({ batch }) =>
      (batch.topicMessages ?? [])
        .filter((t) => t.topic === TOPICS.consistency.name)
        .flatMap((t) => t.messages.map((m) => JSON.parse(String(m.value)) as ReactionsPublishedV1)),
    );
  }
}

let kafka: Kafka;
let producer: Producer;
let mongo: MongoClient;
let redis: Redis;
let threads: Collection<{ _id: string }>;
let writer: OutboxCollection<{ _id: string }>;
let reactions: Reactions;

beforeAll(async () => {
  kafka = createKafka(
    { brokers: testInfrastructure().kafkaBrokers, clientId: 'it-reactions' },
    silentLogger,
  );
  await ensureTopics(
    kafka,
    [
      { name: REACTIONS_TOPIC, compacted: false, partitions: 3 },
      { name: TOPICS.consistency.name, compacted: false, partitions: 3 },
    ],
    { replicationFactor: 1, minInsyncReplicas: undefined },
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  mongo = await new MongoClient(testInfrastructure().mongoUri, { retryWrites: false }).connect();
  redis = new Redis(testInfrastructure().redisUrl);
  const db = mongo.db(uniqueName('reactions'));
  threads = db.collection('threads');
  writer = new OutboxCollection(
    threads as never,
    new RedisDocumentLocks(redis, { prefix: uniqueName('it-lock') }),
  );
  reactions = new Reactions(db.collection(Reactions.collectionName) as never, {
    source: SOURCE,
    into: [REACTIONS_TOPIC],
    kafka,
  });
}, 60_000);

afterAll(async () => {
  await reactions?.close();
  await producer?.disconnect();
  redis?.disconnect();
  await mongo?.close();
});

const relayWith = (watched: WatchedProducer, batchSize: number) =>
  new OutboxRelay({
    collections: [threads as never],
    producer: watched as unknown as Producer,
    lease: { hold: async () => true, release: async () => undefined },
    locks: new RedisDocumentLocks(redis, { prefix: uniqueName('it-lock') }),
    logger: silentLogger,
    batchSize,
    reactions,
  });

/** An event of an HTTP write, as the reactor's consumer received it. */
function appliedEvent(writeId: string) {
  const { envelope } = memberChanged('gm.directory.members', 'prc_it', uniqueName('mbr'), 1);
  return { ...envelope, writeId };
}

it("stamps an HTTP write's events with its id and counts them once durable", async () => {
  const write = new WriteContext();
  const event = memberChanged(REACTIONS_TOPIC, 'prc_it', uniqueName('mbr'), 1);
  await runInWrite(write, () => writer.insert({ _id: uniqueName('doc') }, [event]));
  const [stored] = await threads.find({ '_outbox.id': event.envelope.id }).toArray();
  const record = (stored as unknown as { _outbox: { headers: Record<string, string> }[] })
    ._outbox[0]!;
  expect(record.headers.ce_writeid).toBe(write.writeId);
  // The test topic has no token letter: tokens count only the platform's topics.
  expect(write.eventCounts().size).toBe(0);
  const refused = await runInWrite(write, () =>
    writer.update('no-such-document', {}, { $set: { x: 1 } }, [
      memberChanged('gm.directory.members', 'prc_it', 'm', 2),
    ]),
  );
  expect(refused).toBe(false);
  expect(write.eventCounts().size).toBe(0);
  await runInWrite(write, () =>
    writer.insert({ _id: uniqueName('doc') }, [
      memberChanged('gm.directory.members', 'prc_it', 'm', 3),
    ]),
  );
  expect([...write.eventCounts()]).toEqual([['m', 1]]);
  await threads.deleteMany({});
});

it('reports an applied event only after a round that left nothing pending, past every reaction', async () => {
  const writeId = new WriteContext().writeId;
  // Two reactions pending in the outbox, then the applied event recorded (the consumer's order).
  for (let i = 0; i < 2; i++) {
    await writer.insert({ _id: uniqueName('doc') }, [
      memberChanged(REACTIONS_TOPIC, 'prc_it', uniqueName('m'), 1),
    ]);
  }
  const applied = appliedEvent(writeId);
  await reactions.record('gm.directory.members', [applied]);
  await reactions.record('gm.directory.members', [applied]);

  const watched = new WatchedProducer(producer);
  const relay = relayWith(watched, 1);
  // A batch of one: the first round leaves a document pending, so nothing is reported yet.
  await relay.publishPending();
  expect(watched.reports()).toEqual([]);
  await relay.publishPending();
  await relay.publishPending();
  const [report, ...others] = watched.reports();
  expect(others).toEqual([]);
  expect(report).toMatchObject({
    practiceId: 'prc_it',
    writeId,
    topic: 'gm.directory.members',
    eventIds: [applied.id],
  });
  for (const { batch, placed } of watched.sent) {
    if (batch.topicMessages?.[0]?.topic !== REACTIONS_TOPIC) continue;
    for (const at of placed) {
      const position = report!.positions.find(
        (p) => p.topic === REACTIONS_TOPIC && p.partition === at.partition,
      );
      expect(position!.offset).toBeGreaterThan(Number(at.baseOffset));
    }
  }
  // Reported once: forgotten afterwards.
  expect(await reactions.take()).toEqual([]);
}, 60_000);
