/** Over the per-patient send limit: 429 with Retry-After. */
export class SendRateLimited extends Error {
  readonly code = 'rate-limited';
  readonly kind = 'rate-limited';

  constructor(readonly retryAfterSeconds: number) {
    super(`Too many messages; you can send again in ${retryAfterSeconds} s.`);
    this.name = 'SendRateLimited';
  }
}

/** The first request with this Idempotency-Key is still running: the client should retry later. */
export class RequestInProgress extends Error {
  readonly code = 'request-in-progress';
  readonly kind = 'conflict';

  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly.');
    this.name = 'RequestInProgress';
  }
}
