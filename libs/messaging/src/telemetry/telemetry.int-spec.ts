/**
 * Telemetry of the plumbing against the real servers (ADR 0020): one trace
 * from an HTTP write through the outbox, the relay's producer span, real
 * Kafka and the consumer span to what the handler writes; and the Prometheus
 * figures of dead letters, retries, consumer lag and outbox backlog.
 */
import { deadLetterTopic, toWireRecord, type EventEnvelope } from '@gm/contracts';
import { recordSpans, testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { register } from 'prom-client';
import { ConsumerLagProbe } from '../consumer/consumer-lag.js';
import { UnprocessableEvent } from '../consumer/errors.js';
import { EventConsumer, type EventHandler } from '../consumer/event-consumer.js';
import { createKafka } from '../kafka-client.js';
import { RedisDocumentLocks } from '../lease/redis-document-locks.js';
import { silentLogger } from '../logger.js';
import { OutboxCollection } from '../outbox/outbox-collection.js';
import type { OutboxRecord } from '../outbox/outbox-record.js';
import { OutboxRelay, type Lease } from '../outbox/outbox-relay.js';
import { ensureTopics } from '../topic-admin.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';

const exporter = recordSpans();

interface IdDocument {
  _id: string;
  [key: string]: unknown;
}

const infra = testInfrastructure();
const topic = uniqueName('it.telemetry');
const reactionTopic = uniqueName('it.telemetry-reactions');
const lagTopic = uniqueName('it.telemetry-lag');
const groupId = uniqueName('it-telemetry');
const lagGroupId = uniqueName('it-telemetry-lag');
const practiceId = uniqueName('prc');

const alwaysHeld: Lease = { hold: async () => true, release: async () => undefined };

let mongo: MongoClient;
let db: Db;
let redis: Redis;
let kafka: Kafka;
let producer: Producer;
let locks: RedisDocumentLocks;
let members: Collection<IdDocument>;
let reactions: Collection<IdDocument>;
let reactionWriter: OutboxCollection<IdDocument>;
let consumer: EventConsumer;
const running: { stop(): Promise<void> }[] = [];
const flaky = new Set<string>();

/**
 * The consuming service: writes a reaction event (caused by the consumed
 * one) through its own outbox; some members it cannot take.
 */
const handler: EventHandler = async (envelope) => {
  const data = envelope.data as { memberId: string; displayName: string };
  if (data.displayName === 'unprocessable') throw new UnprocessableEvent('breaks a rule');
  if (data.displayName === 'poison') throw new Error('handler cannot apply this member');
  if (data.displayName === 'flaky' && !flaky.has(envelope.id)) {
    flaky.add(envelope.id);
    throw new Error('fails once');
  }
  const reaction = memberChanged(reactionTopic, practiceId, `${data.memberId}-reaction`, 1);
  await reactionWriter.insert({ _id: envelope.id }, [
    { ...reaction, envelope: { ...reaction.envelope, causationId: envelope.id } },
  ]);
};

/**
 * A metric's value summed over the series whose labels include `labels` (0
 * when there is none); `<histogram>_count` names a histogram's counts.
 */
async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name.replace(/_count$/, ''));
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = (await metric.get()) as {
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  };
  return values
    .filter((series) => series.metricName === undefined || series.metricName === name)
    .filter((series) => Object.entries(labels).every(([k, v]) => String(series.labels[k]) === v))
    .reduce((sum, series) => sum + series.value, 0);
}

function startRelay(collection: Collection<IdDocument>, relayProducer = producer): OutboxRelay {
  const relay = new OutboxRelay({
    collections: [collection as never],
    producer: relayProducer,
    lease: alwaysHeld,
    locks,
    logger: silentLogger,
    pollIntervalMs: 50,
  });
  relay.start();
  running.push(relay);
  return relay;
}

const spansOf = (kind: SpanKind, name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.kind === kind && span.name === name);

beforeAll(async () => {
  mongo = await new MongoClient(infra.mongoUri, { retryWrites: false }).connect();
  db = mongo.db(uniqueName('telemetry'));
  members = db.collection<IdDocument>('members');
  reactions = db.collection<IdDocument>('reactions');
  redis = new Redis(infra.redisUrl);
  locks = new RedisDocumentLocks(redis, { prefix: uniqueName('it-lock') });
  reactionWriter = new OutboxCollection(reactions, locks);
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'telemetry' }, silentLogger);
  await ensureTopics(
    kafka,
    [
      { name: topic, compacted: false, partitions: 1 },
      { name: lagTopic, compacted: false, partitions: 2 },
      { name: deadLetterTopic(groupId), compacted: false, partitions: 1 },
      { name: deadLetterTopic(lagGroupId), compacted: false, partitions: 1 },
    ],
    { replicationFactor: 1 },
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  consumer = new EventConsumer({
    kafka,
    groupId,
    topics: [topic],
    handler,
    deadLetters: producer,
    logger: silentLogger,
    retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    lagIntervalMs: 600_000,
  });
  running.push(consumer);
  await consumer.start();
});

afterAll(async () => {
  for (const part of running.reverse()) await part.stop().catch(() => undefined);
  await producer?.disconnect();
  await db?.dropDatabase().catch(() => undefined);
  redis?.disconnect();
  await mongo?.close();
});

it('traces an HTTP write through the outbox, the relay and Kafka into the consumer and what it writes', async () => {
  const httpSpan = trace
    .getTracer('test')
    .startSpan('POST /v1/members', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const event = memberChanged(topic, practiceId, 'alice', 1);
  const writer = new OutboxCollection(members, locks);
  await context.with(trace.setSpan(ROOT_CONTEXT, httpSpan), () =>
    writer.insert({ _id: 'alice' }, [event]),
  );
  httpSpan.end();
  const { traceId, spanId: httpSpanId } = httpSpan.spanContext();
  startRelay(members);

  const reaction = await waitFor(
    () => reactions.findOne({ _id: event.envelope.id }),
    (doc) => doc !== null,
    { description: "the handler's reaction", timeoutMs: 30_000 },
  );

  const [publish, ...otherPublishes] = spansOf(SpanKind.PRODUCER, `publish ${topic}`);
  expect(otherPublishes).toEqual([]);
  expect(publish!.spanContext().traceId).toBe(traceId);
  expect(publish!.parentSpanContext?.spanId).toBe(httpSpanId);
  expect(publish!.attributes).toMatchObject({
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.message.id': event.envelope.id,
  });

  const [consumed] = await waitFor(
    async () => spansOf(SpanKind.CONSUMER, `process ${topic}`),
    (spans) => spans.length === 1,
    { description: 'the consumer span ended' },
  );
  expect(consumed!.spanContext().traceId).toBe(traceId);
  expect(consumed!.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
  expect(consumed!.parentSpanContext?.isRemote).toBe(true);
  expect(consumed!.attributes).toMatchObject({
    'messaging.consumer.group.name': groupId,
    'messaging.message.id': event.envelope.id,
  });

  const [written] = reaction!._outbox as OutboxRecord[];
  expect(written!.headers.ce_causationid).toBe(event.envelope.id);
  expect(written!.headers.ce_traceparent).toBe(
    `00-${traceId}-${consumed!.spanContext().spanId}-01`,
  );
  // Spans name the plumbing only, never event data.
  for (const span of [publish!, consumed!]) {
    expect(JSON.stringify(span.attributes)).not.toContain('Member alice');
  }
});

it('counts dead letters and retries of the handling of events it cannot take', async () => {
  const labels = { group: groupId, topic };
  const deadBefore = await metricValue('gm_consumer_dead_letters_total', labels);
  const retriesBefore = await metricValue('gm_consumer_retries_total', labels);
  const statsBefore = { ...consumer.stats };
  const envelopes: EventEnvelope[] = [
    memberChanged(topic, practiceId, 'ursula', 1, 'unprocessable').envelope,
    memberChanged(topic, practiceId, 'paul', 1, 'poison').envelope,
    memberChanged(topic, practiceId, 'flo', 1, 'flaky').envelope,
  ];
  await producer.send({ topic, acks: -1, messages: envelopes.map(toWireRecord) });

  await waitFor(
    async () => consumer.stats.applied + consumer.stats.deadLettered,
    (n) => n >= statsBefore.applied + statsBefore.deadLettered + 3,
    { description: 'the three events taken', timeoutMs: 30_000 },
  );
  // Unprocessable at once, poison after its 3 attempts; flaky applied on its 2nd.
  expect((await metricValue('gm_consumer_dead_letters_total', labels)) - deadBefore).toBe(2);
  // Two retries of the poison event, one of the flaky one; none of the unprocessable.
  expect((await metricValue('gm_consumer_retries_total', labels)) - retriesBefore).toBe(3);
  expect(consumer.stats.deadLettered - statsBefore.deadLettered).toBe(2);
  expect(consumer.stats.retries - statsBefore.retries).toBe(3);
  expect(
    await metricValue('gm_consumer_event_duration_seconds_count', {
      ...labels,
      outcome: 'dead-lettered',
    }),
  ).toBe(2);
  // Labels stay bounded: no event or member id in any series.
  const text = await register.metrics();
  for (const envelope of envelopes) expect(text).not.toContain(envelope.id);
  expect(text).not.toContain('paul');
});

it("measures a group's lag as the broker sees it: what it has not committed", async () => {
  const record = (memberId: string, partition: number) => ({
    ...toWireRecord(memberChanged(lagTopic, practiceId, memberId, 1).envelope),
    partition,
  });
  // Consumed and committed: 3 records on partition 0, 1 on partition 1.
  await producer.send({
    topic: lagTopic,
    acks: -1,
    messages: [record('a', 0), record('b', 0), record('c', 0), record('d', 1)],
  });
  const lagConsumer = new EventConsumer({
    kafka,
    groupId: lagGroupId,
    topics: [lagTopic],
    handler: async () => undefined,
    deadLetters: producer,
    logger: silentLogger,
    lagIntervalMs: 600_000,
  });
  running.push(lagConsumer);
  await lagConsumer.start();
  const probe = new ConsumerLagProbe(kafka, lagGroupId, [lagTopic], silentLogger);
  running.push(probe);
  const lagOf = async (group: string, partition: string) =>
    metricValue('gm_consumer_lag', { group, topic: lagTopic, partition });
  await waitFor(
    async () => {
      await probe.measure();
      return [await lagOf(lagGroupId, '0'), await lagOf(lagGroupId, '1')];
    },
    ([p0, p1]) => lagConsumer.stats.applied === 4 && p0 === 0 && p1 === 0,
    { description: 'the four records consumed and committed', timeoutMs: 30_000 },
  );
  await lagConsumer.stop();

  // Produced after the group stopped: 2 more on partition 0, 3 on partition 1.
  await producer.send({
    topic: lagTopic,
    acks: -1,
    messages: [record('e', 0), record('f', 0), record('g', 1), record('h', 1), record('i', 1)],
  });
  await probe.measure();
  expect(await lagOf(lagGroupId, '0')).toBe(2);
  expect(await lagOf(lagGroupId, '1')).toBe(3);
  const gauge = (await register.getSingleMetric('gm_consumer_lag')!.get()).values.filter(
    (series) => series.labels.group === lagGroupId,
  );
  expect(gauge).toHaveLength(2);

  // A group that never committed is behind by everything retained.
  const freshGroup = uniqueName('it-telemetry-fresh');
  const fresh = new ConsumerLagProbe(kafka, freshGroup, [lagTopic], silentLogger);
  running.push(fresh);
  await fresh.measure();
  expect(await lagOf(freshGroup, '0')).toBe(5);
  expect(await lagOf(freshGroup, '1')).toBe(4);
});

it("reports the outbox backlog and its oldest event's age while events wait, 0 once published", async () => {
  const collection = db.collection<IdDocument>(uniqueName('backlog'));
  const labels = { collection: collection.collectionName };
  const writer = new OutboxCollection(collection, locks);
  const waitingSince = new Date(Date.now() - 5_000).toISOString();
  const aged = (memberId: string) => {
    const event = memberChanged(topic, practiceId, memberId, 1);
    return { ...event, envelope: { ...event.envelope, time: waitingSince } };
  };
  await writer.insert({ _id: 'm1' }, [aged('backlog-1'), aged('backlog-2')]);
  await writer.insert({ _id: 'm2' }, [aged('backlog-3')]);

  // Kafka held back: the relay has found the events and waits to publish them.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let sending = 0;
  const heldProducer = {
    sendBatch: async (batch: ProducerBatch) => {
      sending++;
      await released;
      return producer.sendBatch(batch);
    },
  } as unknown as Producer;
  startRelay(collection, heldProducer);

  await waitFor(
    async () => sending,
    (n) => n >= 1,
    { description: 'the relay publishing' },
  );
  expect(await metricValue('gm_outbox_backlog', labels)).toBe(3);
  expect(await metricValue('gm_outbox_oldest_age_seconds', labels)).toBeGreaterThanOrEqual(5);

  release();
  await waitFor(
    async () => collection.countDocuments({ _outboxPending: true }),
    (n) => n === 0,
    { description: 'the outbox cleared' },
  );
  const after = await waitFor(
    async () => [
      await metricValue('gm_outbox_backlog', labels),
      await metricValue('gm_outbox_oldest_age_seconds', labels),
    ],
    ([backlog, age]) => backlog === 0 && age === 0,
    { description: 'backlog and age back to 0' },
  );
  expect(after).toEqual([0, 0]);
  expect(
    await metricValue('gm_outbox_publish_duration_seconds_count', labels),
  ).toBeGreaterThanOrEqual(1);
  // The relay cleared each of the two documents under its lock (kind: the collection).
  expect(
    await metricValue('gm_lock_wait_seconds_count', {
      lock: collection.collectionName,
      outcome: 'acquired',
    }),
  ).toBeGreaterThanOrEqual(2);
});
