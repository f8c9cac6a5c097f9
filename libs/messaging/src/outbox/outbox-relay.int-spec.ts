import { testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import type { Producer, ProducerBatch } from 'kafkajs';
import { MongoClient, type Collection } from 'mongodb';
import { silentLogger } from '../logger.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';
import { OutboxRelay, type Lease } from './outbox-relay.js';
import { outboxForInsert, withOutbox } from './outbox-writes.js';

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
let members: Collection;

beforeAll(async () => {
  mongo = await new MongoClient(testInfrastructure().mongoUri, { retryWrites: false }).connect();
  members = mongo.db(uniqueName('relay')).collection('members');
});

afterAll(async () => {
  await mongo?.close();
});

function relayWith(producer: RecordingProducer): OutboxRelay {
  return new OutboxRelay({
    collections: [members],
    producer: producer as unknown as Producer,
    lease: alwaysHeld,
    logger: silentLogger,
  });
}

it('keeps an event appended while the relay was publishing, and publishes it next round', async () => {
  const first = memberChanged('t', 'prc', 'frank', 1);
  const second = memberChanged('t', 'prc', 'frank', 2);
  await members.insertOne({ _id: 'frank' as never, ...outboxForInsert([first]) });
  const producer = new RecordingProducer();
  // A command writes to the same document between the relay's read and its clear.
  producer.beforeSend = async () => {
    await members.updateOne(
      { _id: 'frank' as never },
      withOutbox({ $set: { version: 2 } }, [second]),
    );
  };
  const relay = relayWith(producer);

  expect(await relay.publishPending()).toBe(1);
  const afterFirstRound = await members.findOne({ _id: 'frank' as never });
  expect(afterFirstRound).toMatchObject({ _outboxPending: true, version: 2 });
  expect(afterFirstRound!._outbox.map((r: { id: string }) => r.id)).toEqual([second.envelope.id]);

  expect(await relay.publishPending()).toBe(1);
  expect(producer.published).toEqual([first.envelope.id, second.envelope.id]);
  expect(await members.findOne({ _id: 'frank' as never })).toMatchObject({
    _outbox: [],
    _outboxPending: false,
  });
  expect(await relay.publishPending()).toBe(0);
});

it('does not publish while another replica holds the lease', async () => {
  await members.insertOne({
    _id: 'gina' as never,
    ...outboxForInsert([memberChanged('t', 'prc', 'gina', 1)]),
  });
  const producer = new RecordingProducer();
  let rounds = 0;
  const heldElsewhere: Lease = {
    hold: async () => (rounds++, false),
    release: async () => undefined,
  };
  const relay = new OutboxRelay({
    collections: [members],
    producer: producer as unknown as Producer,
    lease: heldElsewhere,
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
  expect(await members.findOne({ _id: 'gina' as never })).toMatchObject({ _outboxPending: true });
});
