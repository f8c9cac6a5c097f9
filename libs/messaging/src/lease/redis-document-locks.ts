import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { lockWait } from '../telemetry/metrics.js';

/** Runs read-modify-write work on one document with no other writer of it in between. */
export interface DocumentLocks {
  exclusive<T>(documentKey: string, work: () => Promise<T>): Promise<T>;
}

/** The document stayed locked longer than a writer may wait: retry later (503 over HTTP). */
export class DocumentBusy extends Error {
  readonly code = 'document-busy';
  readonly kind = 'unavailable';

  constructor(documentKey: string) {
    super(`${documentKey} is being changed by another writer; retry`);
    this.name = 'DocumentBusy';
  }
}

const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Per-document mutual exclusion in Redis, across every replica of a service.
 *
 * Why: FerretDB 1.x evaluates an update's filter, then rewrites the whole
 * document by `_id`, so two concurrent updates of one document (even `$inc`,
 * `$push`, or a compare-and-set on a version) can overwrite each other; we
 * measured 30 concurrent `$inc` ending at 10 (ADR 0004). Every writer of an
 * outbox-carrying document (commands and the relay) takes this lock first.
 * MongoDB itself does not need it; it costs two Redis round trips a write.
 */
export class RedisDocumentLocks implements DocumentLocks {
  constructor(
    private readonly redis: Redis,
    private readonly options: { ttlMs?: number; waitMs?: number; prefix?: string } = {},
  ) {}

  async exclusive<T>(documentKey: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.options.prefix ?? 'gm:doc-lock'}:${documentKey}`;
    const token = randomUUID();
    const ttlMs = this.options.ttlMs ?? 10_000;
    const deadline = Date.now() + (this.options.waitMs ?? 5_000);
    // The kind of lock is the collection (the key's first part): a bounded label.
    const waited = lockWait.startTimer({ lock: documentKey.split(':')[0] });
    for (let attempt = 0; ; attempt++) {
      if ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) {
        waited({ outcome: 'busy' });
        throw new DocumentBusy(documentKey);
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(2 + attempt * 3, 50) + Math.random() * 5),
      );
    }
    waited({ outcome: 'acquired' });
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE_IF_OWNER, 1, key, token).catch(() => undefined);
    }
  }
}
