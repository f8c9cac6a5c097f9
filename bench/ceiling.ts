/**
 * The ceiling on the same machine, in the same run, on the same servers:
 * what raw kafkajs and the raw `mongodb` driver do with nothing of the
 * system in between. The system's knee divided by these says how much of
 * the hardware's headroom the services' work (validation, outbox, two
 * hops through Kafka, the projection, Redis) takes per message.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { buildEnvelope, MessageSentV1, toWireRecord, type WireRecord } from '@gm/contracts';
import { createKafka, ensureTopics, silentLogger } from '@gm/messaging';
import { MongoClient } from 'mongodb';
import { sleep } from '../system-tests/faults/layout.js';
import type { BenchWorld } from './world.js';

export interface Ceiling {
  /** Bytes of one record (key + value + headers), as a MessageSent of the ladder is. */
  recordBytes: number;
  kafkaProducePerSecond: number;
  kafkaConsumePerSecond: number;
  kafkaRecords: number;
  mongoInsertPerSecond: number;
  mongoUpdatePerSecond: number;
  mongoOps: { inserts: number; updates: number };
}

const KAFKA_RECORDS = 20_000;
const KAFKA_BATCH = 100;
const MONGO_SECONDS = 5;
const MONGO_CONCURRENCY = 16;

/** A real MessageSent wire record with the ladder's synthetic text (same size on the wire). */
function messageSentRecord(body: string): WireRecord {
  const threadId = `thr_${randomUUID()}`;
  const now = new Date().toISOString();
  return toWireRecord(
    buildEnvelope(
      MessageSentV1,
      {
        practiceId: 'prc_bench_ceiling',
        threadId,
        messageId: `msg_${randomUUID()}`,
        patientId: 'pat_a',
        recipientKind: 'group',
        groupId: `grp_${randomUUID()}`,
        memberId: null,
        subject: 'Bench r100 1234',
        body,
        followUp: false,
        threadVersion: 1,
        sentAt: now,
      },
      {
        id: randomUUID(),
        source: '/services/messaging-intake',
        time: now,
        practiceId: 'prc_bench_ceiling',
        correlationId: randomUUID(),
      },
    ),
  );
}

const recordSize = (r: WireRecord) =>
  Buffer.byteLength(r.key) +
  Buffer.byteLength(r.value) +
  Object.entries(r.headers).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );

/**
 * Producer: batches of 100 with acks=all, one batch in flight (as the
 * outbox relay sends); consumer: a fresh group reading the topic from the
 * beginning while it is written. Both rates are records per second.
 */
async function kafkaCeiling(world: BenchWorld, body: string) {
  const kafka = createKafka(
    { brokers: world.kafka.brokers, clientId: 'bench-ceiling' },
    silentLogger,
  );
  const topic = `bench.ceiling.${world.runId}`;
  await ensureTopics(kafka, [{ name: topic, compacted: false, partitions: 6 }], {
    replicationFactor: 1,
  });
  const record = messageSentRecord(body);
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `bench-ceiling-${world.runId}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    let consumed = 0;
    let firstAt = 0;
    let lastAt = 0;
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (!firstAt) firstAt = performance.now();
        consumed += batch.messages.length;
        lastAt = performance.now();
      },
    });
    // The group's join takes a few seconds on a fresh broker: produce once it has partitions.
    await sleep(3000);
    const started = performance.now();
    for (let sent = 0; sent < KAFKA_RECORDS; sent += KAFKA_BATCH) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: KAFKA_BATCH }, (_, i) => ({
          key: `${record.key}-${sent + i}`,
          value: record.value,
          headers: record.headers,
        })),
      });
    }
    const produceSeconds = (performance.now() - started) / 1000;
    const deadline = performance.now() + 60_000;
    while (consumed < KAFKA_RECORDS && performance.now() < deadline) await sleep(50);
    return {
      recordBytes: recordSize(record),
      kafkaProducePerSecond: KAFKA_RECORDS / produceSeconds,
      kafkaConsumePerSecond: consumed / Math.max(0.001, (lastAt - firstAt) / 1000),
      kafkaRecords: consumed,
    };
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect()]).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** `concurrency` loops doing `op` for `seconds`; returns how many ops completed. */
async function forSeconds(
  seconds: number,
  concurrency: number,
  op: (n: number) => Promise<unknown>,
) {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await op(done++);
    }),
  );
  return done;
}

/** insertOne and updateOne by _id, 16 at a time, for a few seconds each, on the world's FerretDB. */
async function mongoCeiling(world: BenchWorld, body: string) {
  const client = new MongoClient(world.ferret.uri, { maxPoolSize: MONGO_CONCURRENCY });
  await client.connect();
  const db = client.db(`bench_ceiling_${world.runId}`);
  const docs = db.collection<{ _id: string }>('threads');
  try {
    await docs.insertOne({ _id: 'first' }); // the collection exists before timing starts
    const ids: string[] = [];
    const document = (id: string) => ({
      _id: id,
      practiceId: 'prc_bench_ceiling',
      subject: 'Bench r100 1234',
      body,
      status: 'not-replied',
      version: 1,
      updatedAt: new Date(),
    });
    let t = performance.now();
    const inserts = await forSeconds(MONGO_SECONDS, MONGO_CONCURRENCY, async () => {
      const id = `thr_${randomUUID()}`;
      await docs.insertOne(document(id));
      ids.push(id);
    });
    const insertSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const updates = await forSeconds(MONGO_SECONDS, MONGO_CONCURRENCY, (n) =>
      docs.updateOne(
        { _id: ids[n % ids.length]! },
        { $set: { status: 'replied', updatedAt: new Date() }, $inc: { version: 1 } },
      ),
    );
    const updateSeconds = (performance.now() - t) / 1000;
    return {
      mongoInsertPerSecond: inserts / insertSeconds,
      mongoUpdatePerSecond: updates / updateSeconds,
      mongoOps: { inserts, updates },
    };
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

export async function measureCeiling(world: BenchWorld, body: string): Promise<Ceiling> {
  const kafka = await kafkaCeiling(world, body);
  const mongo = await mongoCeiling(world, body);
  return { ...kafka, ...mongo };
}
