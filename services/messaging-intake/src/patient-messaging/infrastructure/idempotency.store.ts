import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@gm/service-kit';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** How long a finished request's response is replayed for its Idempotency-Key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/**
 * How long a request in flight holds its key. Short, so that a process that
 * dies mid-request does not block the key for a day: after it, a retry runs
 * again and the deterministic ids find what the first attempt wrote.
 */
export const IN_FLIGHT_TTL_MS = 30 * 1000;

/** The request an Idempotency-Key belongs to: one patient of one practice. */
export interface IdempotencyScope {
  practiceId: string;
  patientId: string;
  key: string;
}

export type IdempotencyRecord<R> =
  | { state: 'in-flight'; fingerprint: string; owner: string }
  | { state: 'done'; fingerprint: string; response: R };

export type Claim<R> =
  { claimed: true; token: string } | { claimed: false; earlier: IdempotencyRecord<R> };

const CLAIM = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** Idempotency-Key records in Redis, per (practice, patient, key). */
@Injectable()
export class IdempotencyStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Takes the key for this request, or answers what an earlier request with it left. Atomic. */
  async claim<R>(scope: IdempotencyScope, fingerprint: string): Promise<Claim<R>> {
    const token = JSON.stringify({ state: 'in-flight', fingerprint, owner: randomUUID() });
    const earlier = (await this.redis.eval(CLAIM, 1, redisKey(scope), token, IN_FLIGHT_TTL_MS)) as
      string | null;
    return earlier === null
      ? { claimed: true, token }
      : { claimed: false, earlier: JSON.parse(earlier) as IdempotencyRecord<R> };
  }

  /** Keeps the response for retries of the same request. */
  async complete<R>(scope: IdempotencyScope, fingerprint: string, response: R): Promise<void> {
    const record: IdempotencyRecord<R> = { state: 'done', fingerprint, response };
    await this.redis.set(redisKey(scope), JSON.stringify(record), 'PX', IDEMPOTENCY_TTL_MS);
  }

  /** Frees the key after a refused or failed request, so the client may retry it. */
  async release(scope: IdempotencyScope, token: string): Promise<void> {
    await this.redis.eval(RELEASE_IF_OWNER, 1, redisKey(scope), token);
  }
}

const redisKey = ({ practiceId, patientId, key }: IdempotencyScope) =>
  `gm:messaging-intake:idempotency:${encodeURIComponent(practiceId)}:${encodeURIComponent(patientId)}:${key}`;
