import { TOPICS } from '@gm/contracts';
import { ConsistencyGate } from './consistency-gate.js';
import {
  CONSISTENCY_TOKEN_RETENTION_MS,
  type ConsistencyProgress,
} from './consistency-progress.js';
import type { ConsistencyToken } from './consistency-token.js';

const ROUTING = '/services/routing-assignment';
const W = 'w'.repeat(22);

/** What a consumer group has applied, in memory (ConsistencyProgress keeps it in Redis). */
class Applied {
  readonly applied = new Map<string, number>();
  readonly reacted = new Map<string, number>();
  readonly reactedAtPositions = new Map<string, number>();
  readonly partitions = new Map<string, number>();

  async appliedCount(writeId: string, topic: string) {
    return this.applied.get(`${writeId}|${topic}`) ?? 0;
  }
  async reactedCount(source: string, writeId: string, topic: string) {
    return this.reacted.get(`${source}|${writeId}|${topic}`) ?? 0;
  }
  async reactedAt() {
    return this.reactedAtPositions;
  }
  async positions() {
    return this.partitions;
  }
}

const token = (counts: [string, number][], issuedAt = Date.now()): ConsistencyToken => ({
  writeId: W,
  issuedAt,
  counts: new Map(counts),
});

const gateOf = (applied: Applied, consumed: string[]) =>
  new ConsistencyGate(applied as unknown as ConsistencyProgress, new Set(consumed));

describe('ConsistencyGate', () => {
  const members = TOPICS.directoryMembers.name;
  const threads = TOPICS.threads.name;
  const audit = TOPICS.accessAudit.name;

  it('waits for as many of the write’s events as the token counts, on the topics the service consumes', async () => {
    const applied = new Applied();
    const gate = gateOf(applied, [members]);
    const wanted = token([[members, 2]]);
    expect(await gate.reached([wanted], 0)).toBe(false);
    applied.applied.set(`${W}|${members}`, 1);
    expect(await gate.reached([wanted], 0)).toBe(false);
    applied.applied.set(`${W}|${members}`, 2);
    expect(await gate.reached([wanted], 0)).toBe(true);
  });

  it('ignores topics the service neither consumes nor reads reactions to', async () => {
    const gate = gateOf(new Applied(), [members]);
    expect(await gate.reached([token([[TOPICS.patientMessages.name, 1]])], 0)).toBe(true);
  });

  it('for a topic routing reacts to, waits for its report and for its topics up to the reported positions', async () => {
    const applied = new Applied();
    // The read model: directory topics and gm.threads, not gm.access-audit.
    const gate = gateOf(applied, [members, threads]);
    const wanted = token([[members, 1]]);
    applied.applied.set(`${W}|${members}`, 1);
    expect(await gate.reached([wanted], 0)).toBe(false);
    applied.reacted.set(`${ROUTING}|${W}|${members}`, 1);
    applied.reactedAtPositions.set(`${threads}:0`, 10).set(`${threads}:1`, 4).set(`${audit}:2`, 99);
    applied.partitions.set(`${threads}:0`, 10).set(`${threads}:1`, 3);
    expect(await gate.reached([wanted], 0)).toBe(false);
    applied.partitions.set(`${threads}:1`, 4);
    // gm.access-audit is not read here: its position does not hold the answer back.
    expect(await gate.reached([wanted], 0)).toBe(true);
  });

  it('every token of the header must be reached; a service that consumes nothing always is', async () => {
    const applied = new Applied();
    applied.applied.set(`${W}|${members}`, 1);
    const tokens = [token([[members, 1]]), { ...token([[members, 1]]), writeId: 'x'.repeat(22) }];
    expect(await gateOf(applied, [members]).reached(tokens, 0)).toBe(false);
    expect(await new ConsistencyGate(undefined, new Set()).reached(tokens, 0)).toBe(true);
  });

  it('takes a token older than the retention as reached, and gives up after the wait', async () => {
    const gate = gateOf(new Applied(), [members]);
    const old = token([[members, 1]], Date.now() - CONSISTENCY_TOKEN_RETENTION_MS - 1);
    expect(await gate.reached([old], 0)).toBe(true);
    const started = Date.now();
    expect(await gate.reached([token([[members, 1]])], 120)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });
});
