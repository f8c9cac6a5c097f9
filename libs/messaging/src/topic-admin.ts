import type { Admin, Kafka } from 'kafkajs';
import type { TopicDefinition } from '@gm/contracts';

export interface TopicSettings {
  /** 1 on a single local broker; 3 in production (ARCHITECTURE.md). */
  replicationFactor: number;
  /** With acks=all, how many replicas must have a write; 2 in production. */
  minInsyncReplicas?: number;
}

/** About 40 s in all: a fresh broker under load (six services starting at once) can lag that long. */
const ATTEMPTS = 20;
const MAX_BACKOFF_MS = 2_500;

/**
 * Creates the topics that do not exist yet, with compaction where the
 * contract says so, and waits until every one has a leader. Several services
 * do this at once on a fresh broker, where metadata lags creation ("does not
 * host this topic-partition", "already exists"): creation is idempotent, so
 * any failure is retried with backoff, a bounded number of times.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: ReadonlyArray<Pick<TopicDefinition, 'name' | 'compacted' | 'partitions'>>,
  settings: TopicSettings,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await createMissing(admin, topics, settings);
        await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS) throw error;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(250 * attempt, MAX_BACKOFF_MS)),
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(
  admin: Admin,
  topics: ReadonlyArray<Pick<TopicDefinition, 'name' | 'compacted' | 'partitions'>>,
  settings: TopicSettings,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (!missing.length) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic: topic.name,
      numPartitions: topic.partitions,
      replicationFactor: settings.replicationFactor,
      configEntries: [
        { name: 'cleanup.policy', value: topic.compacted ? 'compact' : 'delete' },
        ...(settings.minInsyncReplicas
          ? [{ name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) }]
          : []),
      ],
    })),
  });
}
