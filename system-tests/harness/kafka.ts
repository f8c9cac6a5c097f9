/**
 * Kafka from the outside, as an analytics consumer or a misbehaving producer
 * would see it: observe a practice's events, produce raw records, read the
 * dead-letter topics of the run's consumer groups.
 */
import { createKafka, silentLogger } from '@gm/messaging';
import { EventsOnTopic } from '@gm/testing';
import type { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { RunInfo } from './layout.js';

export function kafkaOf(run: RunInfo): Kafka {
  return createKafka({ brokers: run.kafkaBrokers, clientId: 'system-tests' }, silentLogger);
}

/** Every event of one practice on `topic` (validated against its contract), from the beginning. */
export function observe(kafka: Kafka, topic: string, practiceId: string): Promise<EventsOnTopic> {
  return new EventsOnTopic(kafka, topic, practiceId).start();
}

export interface RawRecord {
  key: string | null;
  value: string | Buffer | null;
  headers?: IHeaders;
}

export async function produce(producer: Producer, topic: string, records: RawRecord[]) {
  await producer.send({ topic, acks: -1, messages: records });
}

export interface DeadLetter {
  topic: string;
  key: string | undefined;
  headers: Record<string, string>;
}

const text = (headers: KafkaMessage['headers']): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [
      name,
      Array.isArray(value) ? String(value[0]) : String(value ?? ''),
    ]),
  );

/**
 * Reads dead-letter topics from the beginning until `done` says everything
 * expected has arrived, or the bound passes; returns what was read.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topics: string[],
  done: (letters: DeadLetter[]) => boolean,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `st-dead-letter-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        letters.push({ topic, key: message.key?.toString(), headers: text(message.headers) });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done(letters) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return letters;
  } finally {
    await consumer.disconnect();
  }
}
