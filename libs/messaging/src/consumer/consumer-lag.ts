import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import { consumerLag } from '../telemetry/metrics.js';

/**
 * Measures a consumer group's lag as the broker sees it (latest offset minus
 * the group's committed offset, per partition), the figure KEDA scales on.
 * Asked of the broker, not counted by the consumer, so that a consumer stuck
 * on one event shows a growing lag instead of its last good figure.
 */
export class ConsumerLagProbe {
  private admin?: Promise<Admin>;
  private timer?: NodeJS.Timeout;
  private measuring?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topics: string[],
    private readonly logger: Logger,
    private readonly intervalMs = 15_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.measuring ??= this.measure().finally(() => (this.measuring = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.measuring;
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin();
    await admin.connect();
    return admin;
  }

  /** One measurement of every partition of the group's topics. */
  async measure(): Promise<void> {
    try {
      this.admin ??= this.connect();
      const admin = await this.admin;
      const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: this.topics });
      for (const { topic, partitions } of committed) {
        const latest = new Map(
          (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p] as const),
        );
        for (const { partition, offset } of partitions) {
          const end = latest.get(partition);
          if (!end) continue;
          // No commit yet: everything still retained is behind.
          const from = Number(offset) >= 0 ? Number(offset) : Number(end.low);
          consumerLag.set(
            { group: this.groupId, topic, partition: String(partition) },
            Math.max(0, Number(end.high) - from),
          );
        }
      }
    } catch (error) {
      // Reconnect next time: the broker may have gone away.
      const broken = this.admin;
      this.admin = undefined;
      void broken?.then((admin) => admin.disconnect()).catch(() => undefined);
      this.logger.warn({ err: error, group: this.groupId }, 'consumer lag not measured');
    }
  }
}
