import { TOPIC_CODES } from '@gm/contracts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * One HTTP write while it runs: its id, which every event it produces
 * carries (`ce_writeid`), and how many events it wrote per topic, counted
 * only once they are durable. Its consistency token is made from both
 * (ADR 0018).
 */
export class WriteContext {
  readonly writeId = randomBytes(16).toString('base64url');
  readonly issuedAt = Date.now();
  private readonly counts = new Map<string, number>();

  /** Events of this write now durable in their documents' outboxes. */
  written(topics: readonly string[]): void {
    for (const topic of topics) this.counts.set(topic, (this.counts.get(topic) ?? 0) + 1);
  }

  /** Events written so far, by topic code (topics no token counts are left out). */
  eventCounts(): Map<string, number> {
    const byCode = new Map<string, number>();
    for (const [topic, count] of this.counts) {
      const code = TOPIC_CODES[topic];
      if (code) byCode.set(code, count);
    }
    return byCode;
  }
}

const storage = new AsyncLocalStorage<WriteContext>();

/** Runs `fn` (an HTTP write) inside a new write context. */
export function runInWrite<T>(context: WriteContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The write this code runs for, if it runs for one (not in a consumer or a timer). */
export const currentWrite = (): WriteContext | undefined => storage.getStore();
