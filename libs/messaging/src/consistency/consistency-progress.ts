import { TOPIC_CODES, type EventEnvelope, type ReactionsPublishedV1 } from '@gm/contracts';
import type { Redis } from 'ioredis';

/** How long a consumer remembers what it applied of each write: a token older than this is honoured at once. */
export const CONSISTENCY_TOKEN_RETENTION_MS = 3600_000;
const TTL_SECONDS = CONSISTENCY_TOKEN_RETENTION_MS / 1000 + 300;

/** Sets a hash field to the larger of its value and the one given. */
const HASH_MAX = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or tonumber(current) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 0`;

const position = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * What one consumer group has applied, in its service's Redis (ADR 0018):
 * the ids of each write's events, by topic; how far it has applied each
 * partition; and what reacting services reported of the same writes. Its
 * replicas share it, so any replica answers a token the group has reached.
 */
export class ConsistencyProgress {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    consumerGroup: string,
  ) {
    this.prefix = `gm:consistency:${consumerGroup}`;
  }

  /**
   * Records events of one partition as applied, and the offset the
   * partition is applied to. Several consumers of a partition in turn (a
   * rebalance) may set that offset lower for a while: a reader then waits
   * longer, never less.
   */
  async applied(
    topic: string,
    partition: number,
    envelopes: EventEnvelope[],
    nextOffset: number,
  ): Promise<void> {
    const code = TOPIC_CODES[topic];
    const pipeline = this.redis.pipeline();
    if (code) {
      for (const envelope of envelopes) {
        if (!envelope.writeId) continue;
        const key = this.appliedKey(envelope.writeId, code);
        pipeline.sadd(key, envelope.id).expire(key, TTL_SECONDS);
      }
    }
    pipeline.hset(`${this.prefix}:positions`, position(topic, partition), nextOffset);
    await pipeline.exec();
  }

  /** A reacting service's report (ReactionsPublished from `source`). */
  async reactionsPublished(source: string, report: ReactionsPublishedV1): Promise<void> {
    const code = TOPIC_CODES[report.topic];
    if (!code) return;
    const pipeline = this.redis.pipeline();
    const key = this.reactedKey(source, report.writeId, code);
    pipeline.sadd(key, ...report.eventIds).expire(key, TTL_SECONDS);
    const at = this.reactedAtKey(source, report.writeId);
    for (const p of report.positions) {
      pipeline.eval(HASH_MAX, 1, at, position(p.topic, p.partition), p.offset, TTL_SECONDS);
    }
    await pipeline.exec();
  }

  async appliedCount(writeId: string, topic: string): Promise<number> {
    return this.redis.scard(this.appliedKey(writeId, TOPIC_CODES[topic]!));
  }

  async reactedCount(source: string, writeId: string, topic: string): Promise<number> {
    return this.redis.scard(this.reactedKey(source, writeId, TOPIC_CODES[topic]!));
  }

  /** Where `source` had published all its reactions to the write, by `topic:partition`. */
  async reactedAt(source: string, writeId: string): Promise<Map<string, number>> {
    return numbers(await this.redis.hgetall(this.reactedAtKey(source, writeId)));
  }

  /** The offset each partition is applied to, by `topic:partition`. */
  async positions(): Promise<Map<string, number>> {
    return numbers(await this.redis.hgetall(`${this.prefix}:positions`));
  }

  private appliedKey(writeId: string, code: string): string {
    return `${this.prefix}:applied:${writeId}:${code}`;
  }

  private reactedKey(source: string, writeId: string, code: string): string {
    return `${this.prefix}:reacted:${source}:${writeId}:${code}`;
  }

  private reactedAtKey(source: string, writeId: string): string {
    return `${this.prefix}:reacted-at:${source}:${writeId}`;
  }
}

const numbers = (hash: Record<string, string>): Map<string, number> =>
  new Map(Object.entries(hash).map(([field, value]) => [field, Number(value)]));
