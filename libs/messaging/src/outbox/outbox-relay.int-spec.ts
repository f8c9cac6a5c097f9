import { testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import type { Producer, ProducerBatch } from 'kafkajs';
import { Redis } from 'ioredis';
import { MongoClient, type Collection } from 'mongodb';
import { RedisDocumentLocks } from '../lease/redis-document-locks.js';
import { silentLogger } from '../logger.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';
import { OutboxRelay, type Lease } from './outbox-relay.js';
import { OutboxCollection } from './outbox-collection.js';
import { outboxForInsert } from './outbox-writes.js';

/** A hand-written fake of the Kafka producer port: records what would be published. */
class RecordingProducer {
  readonly published: string[] = [];
  beforeSend?: () => Promise<void>;

  async sendBatch(batch: ProducerBatch) {
    const hook = this.beforeSend;
    this.beforeSend = undefined;
    await hook?.();
    for (const topic of batch.topicMessages ?? []) {
      for (const message of topic.messages) this.published.push(String(message.headers?.ce_id));
    }
    return [];
  }
}

const alwaysHeld: Lease = { hold: async () => true, release: async () => undefined };

let mongo: MongoClient;
let redis: Redis;
let locks: RedisDocumentLocks;
let members: Collection<{ _id: string; [key: string]: unknown }>;
let writer: OutboxCollection<{ _id: string }>;

beforeAll(async () => {
  mongo = await new MongoClient(testInfrastructure().mongoUri, { retryWrites: false }).connect();
  redis = new Redis(testInfrastructure().redisUrl);
  locks = new RedisDocumentLocks(redis, { prefix: uniqueName('it-lock') });
  members = mongo.db(uniqueName('relay')).collection('members');
  writer = new OutboxCollection(members as never, locks);
});

afterAll(async () => {
  redis?.disconnect();
  await mongo?.close();
});

function relayWith(producer: RecordingProducer): OutboxRelay {
  return new OutboxRelay({
    collections: [members as never],
    producer: producer as unknown as Producer,
    lease: alwaysHeld,
    locks,
    logger: silentLogger,
  });
}

it('keeps an event appended while the relay was publishing, and publishes it next round', async () => {
  const first = memberChanged('t', 'prc', 'frank', 1);
  const second = memberChanged('t', 'prc', 'frank', 2);
  await writer.insert({ _id: 'frank' }, [first]);
  const producer = new RecordingProducer();
  // A command writes to the same document between the relay's read and its clear.
  producer.beforeSend = async () => {
    await writer.update('frank', {}, { $set: { version: 2 } }, [second]);
  };
  const relay = relayWith(producer);

  expect(await relay.publishPending()).toBe(1);
  const afterFirstRound = await members.findOne({ _id: 'frank' });
  expect(afterFirstRound).toMatchObject({ _outboxPending: true, version: 2 });
  expect((afterFirstRound!._outbox as { id: string }[]).map((r) => r.id)).toEqual([
    second.envelope.id,
  ]);

  expect(await relay.publishPending()).toBe(1);
  expect(producer.published).toEqual([first.envelope.id, second.envelope.id]);
  expect(await members.findOne({ _id: 'frank' })).toMatchObject({
    _outbox: [],
    _outboxPending: false,
  });
  expect(await relay.publishPending()).toBe(0);
});

it('does not publish while another replica holds the lease', async () => {
  await members.insertOne({
    _id: 'gina',
    ...outboxForInsert([memberChanged('t', 'prc', 'gina', 1)]),
  });
  const producer = new RecordingProducer();
  let rounds = 0;
  const heldElsewhere: Lease = {
    hold: async () => (rounds++, false),
    release: async () => undefined,
  };
  const relay = new OutboxRelay({
    collections: [members as never],
    producer: producer as unknown as Producer,
    lease: heldElsewhere,
    locks,
    logger: silentLogger,
    pollIntervalMs: 20,
  });
  relay.start();
  // Several rounds in which it could have published, counted rather than slept through.
  await waitFor(
    async () => rounds,
    (n) => n >= 5,
    { description: 'five relay rounds' },
  );
  await relay.stop();
  expect(producer.published).toEqual([]);
  expect(await members.findOne({ _id: 'gina' })).toMatchObject({ _outboxPending: true });
});

it('loses no event when commands and the relay write one document at the same time', async () => {
  // FerretDB rewrites whole documents, so unsynchronised writers overwrite each other (ADR 0004).
  const events = Array.from({ length: 25 }, (_, i) => memberChanged('t', 'prc', 'hugo', i + 1));
  await writer.insert({ _id: 'hugo' }, [events[0]!]);
  const producer = new RecordingProducer();
  const relay = new OutboxRelay({
    collections: [members as never],
    producer: producer as unknown as Producer,
    lease: alwaysHeld,
    locks,
    logger: silentLogger,
    pollIntervalMs: 5,
  });
  relay.start();
  await Promise.all(
    events
      .slice(1)
      .map((event, i) =>
        writer.update('hugo', {}, { $inc: { writes: 1 }, $set: { last: i } }, [event]),
      ),
  );
  const hugo = events.map((event) => event.envelope.id);
  await waitFor(
    async () => producer.published.filter((id) => hugo.includes(id)),
    (published) => new Set(published).size === hugo.length,
    { description: 'all 25 events published' },
  );
  await relay.stop();
  expect(new Set(producer.published.filter((id) => hugo.includes(id)))).toEqual(new Set(hugo));
  expect(await members.findOne({ _id: 'hugo' })).toMatchObject({ writes: 24 });
});
