import { testInfrastructure, uniqueName, waitFor } from '@gm/testing';
import { Redis } from 'ioredis';
import { RedisLease } from './redis-lease.js';

let redis: Redis;

beforeAll(() => {
  redis = new Redis(testInfrastructure().redisUrl);
});

afterAll(() => {
  redis?.disconnect();
});

it('is held by one replica at a time, and passes on when released', async () => {
  const key = uniqueName('lease');
  const a = new RedisLease(redis, key, 'replica-a', 5000);
  const b = new RedisLease(redis, key, 'replica-b', 5000);
  expect(await a.hold()).toBe(true);
  expect(await b.hold()).toBe(false);
  expect(await a.hold()).toBe(true);
  await b.release();
  expect(await redis.get(key)).toBe('replica-a');
  await a.release();
  expect(await b.hold()).toBe(true);
  expect(await a.hold()).toBe(false);
});

it('passes to another replica when the holder stops renewing', async () => {
  const key = uniqueName('lease');
  const crashed = new RedisLease(redis, key, 'replica-a', 300);
  const survivor = new RedisLease(redis, key, 'replica-b', 300);
  expect(await crashed.hold()).toBe(true);
  expect(await survivor.hold()).toBe(false);
  await waitFor(
    () => survivor.hold(),
    (held) => held,
    { timeoutMs: 3000, intervalMs: 50, description: 'takeover' },
  );
  expect(await crashed.hold()).toBe(false);
});
