/**
 * Forward compatibility against real Kafka (ADR 0023): a record of a known
 * event at a version this build does not know (a newer one, published
 * beside the older versions) is skipped, on the batch path and on the
 * one-by-one path: committed past, counted (`stats.skipped`, outcome
 * `skipped`), logged by type and offset only, never dead-lettered. A known
 * event the handler has nothing to do with is not dead-lettered either.
 */
import {
  buildEnvelope,
  dataSchemaUri,
  deadLetterTopic,
  MemberChangedV1,
  PracticeChangedV1,
  toWireRecord,
  type EventEnvelope,
} from '@gm/contracts';
import { testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import type { Kafka, Producer } from 'kafkajs';
import { register } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { createKafka } from '../kafka-client.js';
import { silentLogger, type Logger } from '../logger.js';
import { ensureTopics } from '../topic-admin.js';
import { memberChanged } from '../walking-skeleton/member-events.fixture.js';
import { EventConsumer } from './event-consumer.js';

const infra = testInfrastructure();
const topic = uniqueName('it.newer');
const batchGroup = uniqueName('it-newer-batch');
const singleGroup = uniqueName('it-newer-single');
const practiceId = uniqueName('prc');
const NEWER_TYPE = 'gm.directory.member-changed.v9';
const NEWER_DATA = 'FAKE DATA OF A LATER RELEASE';

let kafka: Kafka;
let producer: Producer;
const consumers: EventConsumer[] = [];

interface Logged {
  level: string;
  fields: object;
  message: string;
}

function capturingLogger(into: Logged[]): Logger {
  const at =
    (level: string) =>
    (fields: object, message: string): void =>
      void into.push({ level, fields, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const good = (memberId: string) =>
  toWireRecord(memberChanged(topic, practiceId, memberId, 1).envelope);

/** A MemberChanged of a version this build does not know, in a shape it could not read either. */
function newer(memberId: string) {
  const record = good(memberId);
  return {
    ...record,
    value: JSON.stringify({ practiceId, memberId, reshaped: { text: NEWER_DATA } }),
    headers: { ...record.headers, ce_type: NEWER_TYPE, ce_dataschema: dataSchemaUri(NEWER_TYPE) },
  };
}

/** A known event (PracticeChanged) that the handlers below have nothing to do with. */
function unhandled() {
  const changedAt = new Date().toISOString();
  const data: PracticeChangedV1 = {
    practiceId,
    name: 'Riverside',
    plan: 'paid',
    version: 1,
    changedAt,
  };
  return toWireRecord(
    buildEnvelope(PracticeChangedV1, data, {
      id: randomUUID(),
      source: '/tests/unknown-version',
      time: changedAt,
      practiceId,
      correlationId: randomUUID(),
    }),
  );
}

async function outcomeCount(groupId: string, outcome: string): Promise<number> {
  const metric = register.getSingleMetric('gm_consumer_event_duration_seconds')!;
  const { values } = (await metric.get()) as {
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  };
  return values
    .filter((series) => series.metricName === 'gm_consumer_event_duration_seconds_count')
    .filter(
      (series) =>
        series.labels.group === groupId &&
        series.labels.topic === topic &&
        series.labels.outcome === outcome,
    )
    .reduce((sum, series) => sum + series.value, 0);
}

beforeAll(async () => {
  kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'unknown-version' }, silentLogger);
  await ensureTopics(
    kafka,
    [
      { name: topic, compacted: false, partitions: 1 },
      { name: deadLetterTopic(batchGroup), compacted: false, partitions: 1 },
      { name: deadLetterTopic(singleGroup), compacted: false, partitions: 1 },
    ],
    { replicationFactor: 1 },
  );
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // Written before the consumers start, so a first fetch holds them all.
  await producer.send({
    topic,
    acks: -1,
    messages: [good('ann'), newer('bob'), unhandled(), good('cy')],
  });
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop().catch(() => undefined);
  await producer?.disconnect();
});

it.each([
  ['the batch path', batchGroup, true],
  ['the one-by-one path', singleGroup, false],
])(
  'skips a newer version between two good records on %s: applies the good ones, dead-letters nothing',
  async (_path, groupId, batch) => {
    const applied: string[] = [];
    const logged: Logged[] = [];
    const apply = async (envelope: EventEnvelope) => {
      // A known event this handler has nothing to do with: ignored, not refused.
      if (envelope.type !== MemberChangedV1.type) return;
      applied.push((envelope.data as MemberChangedV1).memberId);
    };
    const consumer = new EventConsumer({
      kafka,
      groupId,
      topics: [topic],
      handler: apply,
      ...(batch
        ? {
            batchHandler: async (envelopes: EventEnvelope[]) => {
              for (const envelope of envelopes) await apply(envelope);
            },
          }
        : {}),
      deadLetters: producer,
      logger: capturingLogger(logged),
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
    });
    consumers.push(consumer);
    await consumer.start();

    await waitFor(
      async () => consumer.stats.applied + consumer.stats.skipped + consumer.stats.deadLettered,
      (n) => n >= 4,
      { description: 'all four records taken' },
    );
    await consumer.stop();

    expect(applied).toEqual(['ann', 'cy']);
    expect(consumer.stats).toMatchObject({ applied: 3, skipped: 1, deadLettered: 0 });
    expect(await outcomeCount(groupId, 'skipped')).toBe(1);

    // Committed past it: a restart would not see it again.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed!.partitions).toEqual([
        expect.objectContaining({ partition: 0, offset: '4' }),
      ]);
      const letters = await admin.fetchTopicOffsets(deadLetterTopic(groupId));
      expect(letters.map(({ high }) => high)).toEqual(['0']);
    } finally {
      await admin.disconnect();
    }

    // Logged by type and offset, never its data.
    const skipped = logged.filter(({ message }) => message.includes('skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      level: 'info',
      fields: { topic, partition: 0, offset: '1', type: NEWER_TYPE },
    });
    expect(JSON.stringify(logged)).not.toContain(NEWER_DATA);
    expect(logged.filter(({ level }) => level === 'error')).toEqual([]);
  },
);
