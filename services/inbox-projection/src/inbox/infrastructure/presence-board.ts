import { ConfigReader } from '@gm/service-kit';
import type { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import { PresenceBoard } from '../application/presence/presence-board.port.js';
import type { Presence, PresenceTiming } from '../domain/presence.js';
import { FeedHub } from './feed-hub.js';

const presenceKey = (practiceId: string, threadId: string) =>
  `gm:presence:${encodeURIComponent(practiceId)}:${encodeURIComponent(threadId)}`;
const presenceChannel = (practiceId: string, threadId: string) =>
  `gm:presence:news:${encodeURIComponent(practiceId)}:${encodeURIComponent(threadId)}`;

/**
 * One Redis hash per thread (member id → presence), which expires with its
 * newest presence, so a thread nobody works on holds nothing; news goes out
 * on the thread's channel through the process's shared subscriber.
 */
export class RedisPresenceBoard extends PresenceBoard {
  constructor(
    private readonly redis: Redis,
    private readonly hub: FeedHub,
    private readonly timing: PresenceTiming,
  ) {
    super();
  }

  async presences(practiceId: string, threadId: string): Promise<Presence[]> {
    const fields = await this.redis.hgetall(presenceKey(practiceId, threadId));
    return Object.values(fields).flatMap((json) => {
      try {
        return [JSON.parse(json) as Presence];
      } catch {
        return [];
      }
    });
  }

  async keep(
    practiceId: string,
    threadId: string,
    presence: Presence,
    news: boolean,
  ): Promise<void> {
    const key = presenceKey(practiceId, threadId);
    await this.redis
      .multi()
      .hset(key, presence.memberId, JSON.stringify(presence))
      .pexpire(key, this.timing.ttlMs)
      .exec();
    if (news) await this.redis.publish(presenceChannel(practiceId, threadId), '{}');
  }

  async drop(practiceId: string, threadId: string, memberId: string): Promise<void> {
    const removed = await this.redis.hdel(presenceKey(practiceId, threadId), memberId);
    if (removed) await this.redis.publish(presenceChannel(practiceId, threadId), '{}');
  }

  news(practiceId: string, threadId: string): Observable<unknown> {
    return this.hub.signals<unknown>(presenceChannel(practiceId, threadId));
  }
}

/** PRESENCE_TTL_MS (default 25 s: with its 5 s sweep, a vanished client is gone within 30 s). */
export function presenceTiming(
  env: Record<string, string | undefined> = process.env,
): PresenceTiming {
  const config = new ConfigReader(env);
  const ttlMs = config.int('PRESENCE_TTL_MS', 25_000, { min: 1000, max: 25_000 });
  config.done();
  return { ttlMs, sweepMs: Math.ceil(ttlMs / 5) };
}
