/**
 * The open-loop rate ladder. Patients of the seeded practice write to its
 * Billing group (POST /threads on messaging-intake) at a fixed rate: sends
 * are started by the clock, never held back by slow answers, so a system
 * that cannot keep up shows it as growing latency and backlog instead of a
 * quietly lower rate (the fault suite's load generator, closed over 32
 * requests in flight and retrying, is right for faults and wrong for this).
 *
 * The group's Admin (mbr_gadmin) watches the live feed (GET /inbox/events):
 * POST-to-visible is from starting the POST to the feed's first signal
 * for that thread. After each step, the Admin's Billing listing must hold
 * every accepted thread.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TOPICS } from '@gm/contracts';
import { createKafka, silentLogger } from '@gm/messaging';
import type { Admin } from 'kafkajs';
import { call } from '../system-tests/harness/http.js';
import { openFeed, type Feed, type FeedEvent } from '../system-tests/harness/inbox.js';
import { sleep } from '../system-tests/faults/layout.js';
import { cpuDelta, sampleCpu, sampleRss, type CpuSample } from './cpu.js';
import { summarize, type Summary } from './report.js';
import type { BenchWorld } from './world.js';

const POST_TIMEOUT_MS = 30_000;
const ADMIN = 'mbr_gadmin';
/** Synthetic text only (never PHI); about the length of a short patient message. */
export const BODY = 'Synthetic benchmark message. '.repeat(12).trim();
const PIPELINE: ('routing-assignment' | 'inbox-projection')[] = [
  'routing-assignment',
  'inbox-projection',
];
const THREAD_TOPICS = [TOPICS.patientMessages.name, TOPICS.threads.name];

interface Send {
  startedAt: number;
  answeredAt?: number;
  /** HTTP status, or the error's name when there was no answer. */
  outcome?: string;
  threadId?: string;
}

export interface StepResult {
  rate: number;
  seconds: number;
  attempted: number;
  accepted: number;
  acceptedPerSecond: number;
  failures: Record<string, number>;
  post: Summary;
  /** Over accepted messages; a thread never seen within the drain bound counts as infinitely late. */
  visible: Summary;
  unseen: number;
  /** Accepted threads absent from the Admin's listing after the drain. */
  missing: number;
  /** Messages started but not yet visible, at mid-step and when the last send started. */
  pendingMid: number;
  pendingEnd: number;
  /** Consumer lag of routing-assignment + inbox-projection on the thread topics at the step's end. */
  lagAtEnd: number;
  backlog: boolean;
  /** From the last send to every accepted thread visible (or the bound). */
  drainMs: number;
  /** Latest a send started after its scheduled time (the generator's own lateness). */
  lateMaxMs: number;
  /** Records appended to every gm.* topic, per accepted message. */
  kafkaRecordsPerMessage: number;
  /** CPU seconds per process over the step and its drain. */
  cpu: CpuSample;
  rssMiB: Record<string, number>;
}

export interface LadderOptions {
  rates: number[];
  stepSeconds: number;
  drainSeconds: number;
  /** A step whose p99 POST-to-visible passes this ends the ladder. */
  fallOverMs: number;
}

export class Ladder {
  private feed?: Feed;
  private admin?: Admin;
  /** First feed signal per thread (performance.now()). */
  private readonly seenAt = new Map<string, number>();
  private readonly patients: string[];
  private readonly inbox: string;
  private readonly groupId: string;

  constructor(
    private readonly world: BenchWorld,
    private readonly say: (line: string) => void,
  ) {
    this.patients = Object.values(world.practice!.patients).map((p) => p.id);
    this.inbox = world.url('inbox-projection');
    this.groupId = world.practice!.groupIds.billing!;
  }

  async open(): Promise<void> {
    const token = await this.world.tokens.member(this.world.practice!.practiceId, ADMIN);
    this.feed = await openFeed(`${this.inbox}/inbox/events`, `Bearer ${token}`);
    if (this.feed.answer.status !== 200) throw new Error(`feed: ${this.feed.answer.status}`);
    // openFeed collects events into an array as they arrive; their moment of arrival is the
    // measurement, so the array's push is wrapped to stamp them (no second SSE parser here).
    const events = this.feed.events;
    const push = events.push.bind(events);
    events.push = (...items: FeedEvent[]) => {
      const now = performance.now();
      for (const item of items) {
        const threadId = (item.data as { threadId?: unknown } | undefined)?.threadId;
        if (typeof threadId === 'string' && !this.seenAt.has(threadId))
          this.seenAt.set(threadId, now);
      }
      events.length = 0; // only the stamps are kept
      return push(...items);
    };
    const kafka = createKafka(
      { brokers: this.world.kafka.brokers, clientId: 'bench-lag' },
      silentLogger,
    );
    this.admin = kafka.admin();
    await this.admin.connect();
  }

  async close(): Promise<void> {
    this.feed?.close();
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Messages before the ladder: connections, JIT and the feed's SUBSCRIBE settle. */
  async warmUp(): Promise<void> {
    const sends: Send[] = [];
    await (
      await this.sendAtRate(4, 12, 'warm-up', sends)
    ).answered;
    await this.waitVisible(sends, 60_000);
    const unseen = sends.filter((s) => s.threadId && !this.seenAt.has(s.threadId)).length;
    if (unseen)
      throw new Error(
        `warm-up: ${unseen} of ${sends.length} threads never reached the Admin's feed`,
      );
  }

  /** History for the read-side measurements: `count` more threads at `rate`, unmeasured. */
  async seed(count: number, rate: number): Promise<number> {
    const sends: Send[] = [];
    await (
      await this.sendAtRate(rate, count, 'seed', sends)
    ).answered;
    return sends.filter((s) => s.threadId).length;
  }

  /** Fills `send` as the POST goes: the step reads it while under way. */
  private async post(n: number, label: string, send: Send): Promise<void> {
    const practiceId = this.world.practice!.practiceId;
    const patientId = this.patients[n % this.patients.length]!;
    const token = await this.world.tokens.patient(practiceId, patientId);
    try {
      const answer = await call('POST', `${this.world.url('messaging-intake')}/threads`, {
        token,
        headers: { 'idempotency-key': randomUUID() },
        body: {
          recipient: { kind: 'group', groupId: this.groupId },
          subject: `Bench ${label} ${n}`,
          body: BODY,
        },
        timeoutMs: POST_TIMEOUT_MS,
      });
      send.outcome = String(answer.status);
      if (answer.status >= 200 && answer.status < 300) {
        send.threadId = (answer.json as { threadId: string }).threadId;
      }
    } catch (error) {
      send.outcome = (error as Error).name;
    }
    send.answeredAt = performance.now();
  }

  /**
   * Open loop: send n starts at t0 + n/rate whatever the earlier ones are doing.
   * Resolves once the last one has started (`onLastStart` runs then); `answered`
   * once every POST has its answer.
   */
  private async sendAtRate(
    rate: number,
    count: number,
    label: string,
    sends: Send[],
    onHalf: () => void = () => undefined,
  ): Promise<{ answered: Promise<void>; lateMaxMs: number }> {
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now();
    let lateMaxMs = 0;
    for (let n = 0; n < count; n++) {
      const due = t0 + (n * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const send: Send = { startedAt: performance.now() };
      lateMaxMs = Math.max(lateMaxMs, send.startedAt - due);
      sends.push(send);
      inFlight.push(this.post(n, label, send));
      if (n === Math.floor(count / 2)) onHalf();
    }
    return { answered: Promise.all(inFlight).then(() => undefined), lateMaxMs };
  }

  private async waitVisible(sends: Send[], boundMs: number): Promise<void> {
    const deadline = performance.now() + boundMs;
    while (performance.now() < deadline) {
      if (sends.every((s) => !s.threadId || this.seenAt.has(s.threadId))) return;
      await sleep(50);
    }
  }

  /** Sum of consumer lag of the pipeline's groups on the thread topics. */
  private async lag(): Promise<number> {
    const admin = this.admin!;
    const ends = new Map<string, { high: bigint }>();
    for (const topic of THREAD_TOPICS) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        ends.set(`${topic}/${p.partition}`, { high: BigInt(p.high) });
      }
    }
    let lag = 0n;
    for (const service of PIPELINE) {
      const groupId = this.world.consumerGroup(service);
      for (const t of await admin.fetchOffsets({ groupId, topics: THREAD_TOPICS })) {
        for (const p of t.partitions) {
          if (p.offset === '-1') continue; // a topic this group does not consume (as waitQuiet reads it)
          const end = ends.get(`${t.topic}/${p.partition}`)!;
          if (end.high > BigInt(p.offset)) lag += end.high - BigInt(p.offset);
        }
      }
    }
    return Number(lag);
  }

  /** High offsets of every gm.* topic, summed: how many records the system wrote. */
  private async records(): Promise<number> {
    const admin = this.admin!;
    let total = 0;
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith('gm.'))) {
      for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high);
    }
    return total;
  }

  /** Every thread id in the Admin's Billing listing, page by page. */
  async listed(): Promise<Set<string>> {
    const token = await this.world.tokens.member(this.world.practice!.practiceId, ADMIN);
    const ids = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const query = `filter=all&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer = await call(
        'GET',
        `${this.inbox}/inbox/groups/${this.groupId}/threads?${query}`,
        {
          token,
          timeoutMs: 30_000,
        },
      );
      if (answer.status !== 200) throw new Error(`inbox listing: ${answer.status}`);
      const body = answer.json as { threads: { threadId: string }[]; nextCursor: string | null };
      for (const t of body.threads) ids.add(t.threadId);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return ids;
  }

  async step(rate: number, options: LadderOptions): Promise<StepResult> {
    const count = Math.max(1, Math.round(rate * options.stepSeconds));
    const cpuBefore = sampleCpu(this.world.pids());
    const recordsBefore = await this.records();
    const sends: Send[] = [];
    // Started and neither visible yet nor answered with a refusal: what the system still owes.
    const pending = () =>
      sends.filter((s) => (s.threadId ? !this.seenAt.has(s.threadId) : !s.answeredAt)).length;
    let pendingMid = 0;
    const { answered, lateMaxMs } = await this.sendAtRate(rate, count, `r${rate}`, sends, () => {
      pendingMid = pending();
    });
    const lastStart = performance.now();
    const pendingEnd = pending();
    const lagAtEnd = await this.lag();
    await answered;
    await this.waitVisible(sends, options.drainSeconds * 1000);
    const drainMs = performance.now() - lastStart;
    const cpu = cpuDelta(cpuBefore, sampleCpu(this.world.pids()));
    const rssMiB = sampleRss(this.world.pids());
    const records = (await this.records()) - recordsBefore;

    const accepted = sends.filter((s) => s.threadId);
    const listedIds = await this.listed();
    const failures: Record<string, number> = {};
    for (const s of sends.filter((s) => !s.threadId)) {
      failures[s.outcome!] = (failures[s.outcome!] ?? 0) + 1;
    }
    const visible = summarize(
      accepted.map((s) => (this.seenAt.get(s.threadId!) ?? Infinity) - s.startedAt),
    );
    const result: StepResult = {
      rate,
      seconds: options.stepSeconds,
      attempted: count,
      accepted: accepted.length,
      acceptedPerSecond: accepted.length / options.stepSeconds,
      failures,
      post: summarize(sends.map((s) => s.answeredAt! - s.startedAt)),
      visible,
      unseen: accepted.filter((s) => !this.seenAt.has(s.threadId!)).length,
      missing: accepted.filter((s) => !listedIds.has(s.threadId!)).length,
      pendingMid,
      pendingEnd,
      lagAtEnd,
      // Grew: over the second half of the step the queue rose by more than half a second of
      // traffic, or more than a second of traffic still waited in Kafka when sending stopped.
      backlog: pendingEnd - pendingMid > rate * 0.5 || lagAtEnd > rate,
      drainMs,
      lateMaxMs,
      kafkaRecordsPerMessage: accepted.length ? records / accepted.length : 0,
      cpu,
      rssMiB,
    };
    this.say(
      `step ${rate}/s: accepted ${result.accepted}/${count}, POST p99 ${result.post.p99.toFixed(0)} ms, ` +
        `visible p99 ${Number.isFinite(visible.p99) ? visible.p99.toFixed(0) : '∞'} ms, ` +
        `missing ${result.missing}, backlog ${result.backlog ? 'grew' : 'flat'}`,
    );
    return result;
  }

  async run(options: LadderOptions): Promise<StepResult[]> {
    const steps: StepResult[] = [];
    for (const rate of options.rates) {
      const result = await this.step(rate, options);
      steps.push(result);
      if (!(result.visible.p99 <= options.fallOverMs)) {
        this.say(
          `step ${rate}/s fell over (p99 POST-to-visible > ${options.fallOverMs} ms): ladder stops`,
        );
        break;
      }
    }
    return steps;
  }
}

/** Highest rate with p99 POST-to-visible within the bound and no growing backlog. */
export function kneeOf(steps: StepResult[], p99BoundMs = 500): StepResult | undefined {
  return steps.filter((s) => s.visible.p99 <= p99BoundMs && !s.backlog).at(-1);
}
