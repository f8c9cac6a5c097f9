import { Injectable, Logger } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { idempotencyKeyReused } from '../domain/thread.js';
import {
  IdempotencyStore,
  type IdempotencyRecord,
  type IdempotencyScope,
} from '../infrastructure/idempotency.store.js';
import { SendRateLimiter } from '../infrastructure/send-rate-limiter.js';
import { RequestInProgress, SendRateLimited } from './send-errors.js';

/** What a send answers (202): the thread and the message written. */
export interface MessageAccepted {
  threadId: string;
  messageId: string;
}

export interface SendOutcome {
  accepted: MessageAccepted;
  /** True when an earlier request with the same Idempotency-Key had written it. */
  replayed: boolean;
}

/** What the HTTP layer knows of a send request beyond its content. */
export interface SendRequest {
  idempotencyKey: string | null;
  /** Hash of method, path and body: tells a retry from a different request with the same key. */
  fingerprint: string;
}

function answerFor(earlier: IdempotencyRecord<MessageAccepted>, fingerprint: string): SendOutcome {
  if (earlier.fingerprint !== fingerprint) throw idempotencyKeyReused();
  if (earlier.state === 'in-flight') throw new RequestInProgress();
  return { accepted: earlier.response, replayed: true };
}

/**
 * Every patient send (new thread or follow-up) goes through here: the
 * Idempotency-Key first (a retry is answered from Redis and costs no send),
 * then the per-patient rate limit, then the send itself.
 */
@Injectable()
export class PatientSends {
  private readonly logger = new Logger(PatientSends.name);

  constructor(
    private readonly keys: IdempotencyStore,
    private readonly limiter: SendRateLimiter,
  ) {}

  async run(
    caller: Caller,
    request: SendRequest,
    send: () => Promise<SendOutcome>,
  ): Promise<SendOutcome> {
    if (!request.idempotencyKey) return this.withinLimit(caller, send);
    const scope: IdempotencyScope = {
      practiceId: caller.practiceId,
      patientId: caller.id,
      key: request.idempotencyKey,
    };
    const claim = await this.keys.claim<MessageAccepted>(scope, request.fingerprint);
    if (!claim.claimed) return answerFor(claim.earlier, request.fingerprint);
    let outcome: SendOutcome;
    try {
      outcome = await this.withinLimit(caller, send);
    } catch (error) {
      // Refused or failed: nothing to replay, the client may retry with the same key.
      await this.keys.release(scope, claim.token).catch(() => undefined);
      throw error;
    }
    // The message is durable whatever happens here; a retry finds it by its derived id.
    await this.keys.complete(scope, request.fingerprint, outcome.accepted).catch((error) => {
      this.logger.warn({ err: error }, 'could not record an idempotent response');
    });
    return outcome;
  }

  private async withinLimit(caller: Caller, send: () => Promise<SendOutcome>) {
    const reservation = await this.limiter.reserve(caller.practiceId, caller.id);
    if (!reservation.admitted) throw new SendRateLimited(reservation.retryAfterSeconds);
    try {
      const outcome = await send();
      if (outcome.replayed) await reservation.release();
      return outcome;
    } catch (error) {
      await reservation.release().catch(() => undefined);
      throw error;
    }
  }
}
