import type { Redis } from 'ioredis';

const RENEW_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * A time-bound lease in Redis: of N replicas of a service, one holds it and
 * does the singleton work (the outbox relay). A holder that stops renewing
 * loses it after `ttlMs`, and another replica takes over.
 */
export class RedisLease {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Renews the lease when held, else tries to take it. True while held. */
  async hold(): Promise<boolean> {
    const renewed = await this.redis.eval(RENEW_IF_OWNER, 1, this.key, this.owner, this.ttlMs);
    if (renewed === 1) return true;
    const taken = await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX');
    return taken === 'OK';
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE_IF_OWNER, 1, this.key, this.owner);
  }
}
