import { REACTORS, type Reactor } from '@gm/contracts';
import type { ConsistencyToken } from './consistency-token.js';
import {
  CONSISTENCY_TOKEN_RETENTION_MS,
  type ConsistencyProgress,
} from './consistency-progress.js';

const POLL_MS = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Decides whether a service has applied what consistency tokens stand for
 * (ADR 0018), and waits (bounded) until it has. What concerns a service:
 * the events on topics it consumes, and, for topics a reacting service
 * reacts to into a topic it consumes, that service's report and the
 * reactions up to the positions it gave. A service that consumes nothing
 * is always consistent: its reads come from its own writes.
 */
export class ConsistencyGate {
  private readonly reactors: Reactor[];

  constructor(
    private readonly progress: ConsistencyProgress | undefined,
    private readonly consumed: ReadonlySet<string>,
  ) {
    this.reactors = REACTORS.filter((reactor) => reactor.into.some((t) => consumed.has(t)));
  }

  /** True once every token is reached, false if `waitMs` ran out first. */
  async reached(tokens: ConsistencyToken[], waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    let pending = tokens;
    for (;;) {
      const results = await Promise.all(pending.map((token) => this.reachedNow(token)));
      pending = pending.filter((_, i) => !results[i]);
      if (!pending.length) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    }
  }

  private async reachedNow(token: ConsistencyToken): Promise<boolean> {
    const progress = this.progress;
    if (!progress) return true;
    // Forgotten by now, and applied long since unless a consumer is an hour behind.
    if (Date.now() - token.issuedAt > CONSISTENCY_TOKEN_RETENTION_MS) return true;
    const waitingFor = new Set<Reactor>();
    for (const [topic, count] of token.counts) {
      if (this.consumed.has(topic) && (await progress.appliedCount(token.writeId, topic)) < count) {
        return false;
      }
      for (const reactor of this.reactors) {
        if (!reactor.from.includes(topic)) continue;
        if ((await progress.reactedCount(reactor.source, token.writeId, topic)) < count) {
          return false;
        }
        waitingFor.add(reactor);
      }
    }
    if (!waitingFor.size) return true;
    const applied = await progress.positions();
    for (const reactor of waitingFor) {
      for (const [at, offset] of await progress.reactedAt(reactor.source, token.writeId)) {
        const topic = at.slice(0, at.lastIndexOf(':'));
        if (this.consumed.has(topic) && (applied.get(at) ?? 0) < offset) return false;
      }
    }
    return true;
  }
}
