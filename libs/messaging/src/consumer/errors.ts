/**
 * Thrown by a handler for an event it can never process (it breaks a rule
 * that no retry can fix): the event goes to the dead-letter topic at once.
 */
export class UnprocessableEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEvent';
  }
}

/** Thrown by a handler for a condition that passes (a replica not caught up yet). */
export class TransientFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientFailure';
  }
}

const TRANSIENT_NAMES = new Set([
  'TransientFailure',
  'DocumentBusy',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'PoolClearedError',
  'MongoPoolClearedError',
  'KafkaJSConnectionError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'MaxRetriesPerRequestError',
]);

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/**
 * Infrastructure outages (database, broker, Redis down) are retried without
 * limit: dead-lettering during an outage would divert every healthy event.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { name, code, cause } = error as Error & { code?: unknown };
  if (TRANSIENT_NAMES.has(name)) return true;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (error.message === 'Connection is closed.') return true;
  return cause !== undefined && cause !== error && isTransient(cause);
}
