import type { Kafka } from 'kafkajs';
import type { TopicDefinition } from '@gm/contracts';

export interface TopicSettings {
  /** 1 on a single local broker; 3 in production (ARCHITECTURE.md). */
  replicationFactor: number;
  /** With acks=all, how many replicas must have a write; 2 in production. */
  minInsyncReplicas?: number;
}

/** Creates the topics that do not exist yet, with compaction where the contract says so. */
export async function ensureTopics(
  kafka: Kafka,
  topics: ReadonlyArray<Pick<TopicDefinition, 'name' | 'compacted' | 'partitions'>>,
  settings: TopicSettings,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
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
  } finally {
    await admin.disconnect();
  }
}
