import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS } from '@gm/contracts';
import { ensureTopics, type Logger } from '@gm/messaging';
import {
  INFRASTRUCTURE_CONFIG,
  KAFKA,
  PLUMBING_LOGGER,
  type InfrastructureConfig,
} from '@gm/service-kit';
import type { Kafka } from 'kafkajs';

// kafkajs' ConfigResourceTypes.TOPIC and ConfigSource.TOPIC_CONFIG (its enums are CommonJS-only).
const TOPIC_RESOURCE = 2;
const SET_ON_TOPIC = 1;

/**
 * Gives the audit topic its long retention (the contract's `retentionMs`).
 * Every service creates missing topics with the broker's default retention
 * (a week, typically) and whichever starts first creates this one; the
 * audit trail's owner sets what the trail needs. Kafka's AlterConfigs
 * replaces a topic's whole set of overrides, so the ones already set
 * (cleanup policy, min.insync.replicas) are written back with it. If the
 * platform manages topics and refuses the change, the service still runs:
 * the store, not the topic, is the trail of record.
 */
@Injectable()
export class AuditTopicRetention implements OnApplicationBootstrap {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
    @Inject(PLUMBING_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const topic = TOPICS.accessAudit;
    const wanted = String(topic.retentionMs);
    try {
      await ensureTopics(this.kafka, [topic], {
        replicationFactor: this.config.kafkaReplicationFactor,
        minInsyncReplicas: this.config.kafkaMinInsyncReplicas,
      });
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: TOPIC_RESOURCE, name: topic.name }],
        });
        const entries = described.resources[0]?.configEntries ?? [];
        if (entries.find((e) => e.configName === 'retention.ms')?.configValue === wanted) return;
        const overrides = entries
          .filter((e) => e.configSource === SET_ON_TOPIC && e.configName !== 'retention.ms')
          .map((e) => ({ name: e.configName, value: e.configValue }));
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: TOPIC_RESOURCE,
              name: topic.name,
              configEntries: [...overrides, { name: 'retention.ms', value: wanted }],
            },
          ],
        });
        this.logger.info({ topic: topic.name, retentionMs: wanted }, 'audit topic retention set');
      } finally {
        await admin.disconnect();
      }
    } catch (error) {
      this.logger.warn(
        { topic: topic.name, err: error instanceof Error ? error.message : String(error) },
        'could not set the audit topic retention; set retention.ms on the topic by hand',
      );
    }
  }
}
