import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@gm/service-kit';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { PatientSendLimit } from '../../config.js';

export const PATIENT_SEND_LIMIT = Symbol('PATIENT_SEND_LIMIT');

/**
 * Sliding-window log: one sorted-set entry per send, scored by Redis' own
 * clock (so replicas with skewed clocks agree). Pruning, counting and adding
 * are one script, so concurrent sends cannot both take the last slot.
 * Answers 0 when the send is admitted, else the milliseconds until a slot frees.
 */
const RESERVE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local windowMs = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs - windowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + windowMs - nowMs
end
redis.call('ZADD', KEYS[1], nowMs, ARGV[3])
redis.call('PEXPIRE', KEYS[1], windowMs)
return 0`;

export type Reservation =
  { admitted: true; release(): Promise<void> } | { admitted: false; retryAfterSeconds: number };

/** The per-patient send limit (PATIENT_SEND_LIMIT per PATIENT_SEND_WINDOW_SECONDS). */
@Injectable()
export class SendRateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PATIENT_SEND_LIMIT) private readonly limit: PatientSendLimit,
  ) {}

  async reserve(practiceId: string, patientId: string): Promise<Reservation> {
    const key = `gm:messaging-intake:send-rate:${encodeURIComponent(practiceId)}:${encodeURIComponent(patientId)}`;
    const entry = randomUUID();
    const waitMs = Number(
      await this.redis.eval(
        RESERVE,
        1,
        key,
        this.limit.windowSeconds * 1000,
        this.limit.limit,
        entry,
      ),
    );
    if (waitMs > 0)
      return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    // A send that wrote nothing gives its slot back: the limit counts messages sent.
    return { admitted: true, release: async () => void (await this.redis.zrem(key, entry)) };
  }
}
