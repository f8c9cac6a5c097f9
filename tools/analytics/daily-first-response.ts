/**
 * An example consumer of the PHI-free analytics stream, for analytics teams
 * to copy (docs/analytics.md): reads `gm.analytics.threads` from the
 * beginning up to its end, and prints the daily first-response times of
 * each practice's groups as CSV (day, practice, group, threads, p50, p90 in
 * minutes). It depends on kafkajs alone, and follows the compatibility rules
 * (docs/event-compatibility.md): it keeps only the fields it reads, takes
 * facts and values it does not know, skips event types it does not know
 * (a newer version included), and counts each fact once.
 *
 *   node --import @swc-node/register/esm-register tools/analytics/daily-first-response.ts \
 *     [--brokers 127.0.0.1:9092] [--group my-analytics]
 */
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

export const TOPIC = 'gm.analytics.threads';
/** The one type this consumer is built for; a v2 beside it is skipped until the consumer is upgraded. */
export const THREAD_FACT_V1 = 'gm.analytics.thread-fact.v1';

/** The fields of a ThreadFact v1 this consumer reads; any others are ignored. */
export interface FirstReplyFact {
  practiceId: string;
  threadId: string;
  sequence: number;
  groupId: string | null;
  occurredAt: string;
  timeToFirstReplyMs: number;
}

export interface DailyFirstResponse {
  /** UTC day of the first replies. */
  day: string;
  practiceId: string;
  /** null: direct messages to members. */
  groupId: string | null;
  threads: number;
  p50Minutes: number;
  p90Minutes: number;
}

/** A record's first reply, or null: another type, another fact, or not the thread's first reply. */
export function firstReplyOf(
  type: string | undefined,
  value: string | null,
): FirstReplyFact | null {
  if (type !== THREAD_FACT_V1 || value === null) return null;
  const fact = JSON.parse(value) as Partial<FirstReplyFact> & { fact?: unknown };
  if (fact.fact !== 'replied' || typeof fact.timeToFirstReplyMs !== 'number') return null;
  return {
    practiceId: String(fact.practiceId),
    threadId: String(fact.threadId),
    sequence: Number(fact.sequence),
    groupId: fact.groupId ?? null,
    occurredAt: String(fact.occurredAt),
    timeToFirstReplyMs: fact.timeToFirstReplyMs,
  };
}

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const minutes = (ms: number) => Math.round(ms / 600) / 100;

/** First replies per UTC day, practice and group; a fact delivered twice counts once. */
export function dailyFirstResponse(facts: Iterable<FirstReplyFact>): DailyFirstResponse[] {
  const seen = new Set<string>();
  const days = new Map<
    string,
    { day: string; practiceId: string; groupId: string | null; ms: number[] }
  >();
  for (const fact of facts) {
    const id = `${fact.threadId}:${fact.sequence}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const day = fact.occurredAt.slice(0, 10);
    const key = JSON.stringify([day, fact.practiceId, fact.groupId]);
    let bucket = days.get(key);
    if (!bucket) {
      bucket = { day, practiceId: fact.practiceId, groupId: fact.groupId, ms: [] };
      days.set(key, bucket);
    }
    bucket.ms.push(fact.timeToFirstReplyMs);
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, { day, practiceId, groupId, ms }]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return {
        day,
        practiceId,
        groupId,
        threads: sorted.length,
        p50Minutes: minutes(percentile(sorted, 50)),
        p90Minutes: minutes(percentile(sorted, 90)),
      };
    });
}

/** Every first reply on the topic from its beginning up to its end as it is now. */
export async function readFirstReplies(
  brokers: string[],
  groupId?: string,
): Promise<FirstReplyFact[]> {
  const kafka = new Kafka({ clientId: 'analytics-example', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(TOPIC)) {
      if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high) - 1n);
    }
  } finally {
    await admin.disconnect();
  }
  const facts: FirstReplyFact[] = [];
  if (!ends.size) return facts;
  const consumer = kafka.consumer({ groupId: groupId ?? `analytics-example-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || BigInt(message.offset) > end) return;
            const fact = firstReplyOf(
              message.headers?.ce_type?.toString(),
              message.value?.toString() ?? null,
            );
            if (fact) facts.push(fact);
            if (BigInt(message.offset) === end) ends.delete(partition);
            if (!ends.size) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return facts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
      group: { type: 'string' },
    },
  });
  const rows = dailyFirstResponse(await readFirstReplies(values.brokers!.split(','), values.group));
  process.stdout.write('day,practice_id,group_id,threads,p50_minutes,p90_minutes\n');
  for (const row of rows) {
    process.stdout.write(
      `${row.day},${row.practiceId},${row.groupId ?? ''},${row.threads},${row.p50Minutes},${row.p90Minutes}\n`,
    );
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
