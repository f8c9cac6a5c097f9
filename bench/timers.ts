/**
 * The cost of the deadline timers (bench/README.md, "Timers"), one command:
 *
 *   npm run bench:timers -- [--threads 100000] [--catch-up 2000] [--live 300] [--label timers] …
 *
 * routing-assignment keeps each thread's next deadline in the thread itself
 * (`dueAt`, indexed) and one replica sweeps what is due every 500 ms. This
 * measures what that costs with N open threads stored: the sweep query and
 * the service's idle CPU with nothing due (before and after loading them),
 * a catch-up after downtime, the lateness of live deadlines, and the pure
 * cost of a business-hours deadline. Builds the services, starts a world of
 * its own (world.ts), prints the figures, writes them to docs/benchmarks.md
 * under the label, and tears the world down (also on Ctrl-C).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import {
  businessDeadline,
  type BusinessHours,
} from '../services/routing-assignment/src/threads/domain/business-time.js';
import {
  assignThread,
  openThread,
} from '../services/routing-assignment/src/threads/domain/thread.js';
import type { AccessFacts } from '../services/routing-assignment/src/threads/domain/thread-access.js';
import { threadAudience } from '../services/routing-assignment/src/threads/domain/thread-audience.js';
import type {
  ThreadState,
  TimelineEntry,
} from '../services/routing-assignment/src/threads/domain/thread-state.js';
import {
  applyWorkflow,
  NO_WORKFLOW,
  type ThreadWorkflow,
} from '../services/routing-assignment/src/threads/domain/thread-workflow.js';
import {
  DUE_INDEX,
  toDocument,
} from '../services/routing-assignment/src/threads/infrastructure/threads.repository.js';
import { databaseOf } from '../system-tests/faults/services.js';
import { sampleCpu } from './cpu.js';
import { describeMachine, summarize, writeSection, type Machine, type Summary } from './report.js';
import { BenchWorld, buildServices } from './world.js';

const { values: flags } = parseArgs({
  options: {
    threads: { type: 'string', default: '100000' },
    'catch-up': { type: 'string', default: '2000' },
    live: { type: 'string', default: '300' },
    label: { type: 'string', default: 'timers' },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
  strict: true,
});

const positive = (name: string, text: string) => {
  const n = Math.round(Number(text));
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, not "${text}"`);
  return n;
};
const OPEN = positive('threads', flags.threads!);
const CATCH_UP = positive('catch-up', flags['catch-up']!);
const LIVE = positive('live', flags.live!);
const say = (line: string) => process.stderr.write(`[bench:timers] ${line}\n`);

/** What the sweep asks, exactly as ThreadsRepository.due does (the timer's round limit). */
const ROUND_LIMIT = 200;
const SWEEP_SAMPLES = 200;
const IDLE_SECONDS = 20;
const CATCH_UP_POLL_MS = 200;
const LIVE_SPREAD_SECONDS = 15;
const LIVE_BOUND_MS = 60_000;
const CATCH_UP_BOUND_MS = 600_000;
const PRACTICES = 100;
const BATCH = 1000;
const IN_FLIGHT = 3;

/** A weekday 08:00–12:00 + 13:00–17:00 in New York: 8 business hours a day. */
const NEW_YORK: BusinessHours = {
  timeZone: 'America/New_York',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [
    { day, opens: '08:00', closes: '12:00' },
    { day, opens: '13:00', closes: '17:00' },
  ]),
  closedDates: [],
};
/** The open threads' group: a day's target (three business days here), an hour's return to queue. */
const OPEN_WORKFLOW: ThreadWorkflow = {
  ...NO_WORKFLOW,
  responseTargetSeconds: 86_400,
  businessHours: NEW_YORK,
  acknowledgement: null,
  returnToQueueSeconds: 3600,
};
const plainTarget = (seconds: number): ThreadWorkflow => ({
  ...NO_WORKFLOW,
  responseTargetSeconds: seconds,
  businessHours: null,
  acknowledgement: null,
  returnToQueueSeconds: null,
});

// --- Threads, made by the domain's own functions ----------------------------------------

interface Group {
  practiceId: string;
  groupId: string;
  groupName: string;
  adminId: string;
  /** A User of the group, to assign threads to. */
  userId: string | null;
  patientIds: string[];
  facts: AccessFacts;
}

function groupOf(g: Omit<Group, 'facts'>, members: Group['facts']['group']): Group {
  return {
    ...g,
    facts: {
      group: members,
      careTeamMemberIds: [],
      activeMemberIds: new Set(members!.members.map((m) => m.memberId)),
    },
  };
}

/** A patient's first message to the group, routed as it arrived, under the group's workflow. */
function routedThread(
  group: Group,
  threadId: string,
  patientId: string,
  sentAt: string,
  workflow: ThreadWorkflow,
): ThreadState {
  const opened = openThread(
    {
      practiceId: group.practiceId,
      threadId,
      messageId: `msg_timers_${randomUUID()}`,
      patientId,
      recipientKind: 'group',
      groupId: group.groupId,
      memberId: null,
      followUp: false,
      threadVersion: 1,
      sentAt,
    },
    { name: group.groupName, recipientMode: 'specific-members', workflow },
    sentAt,
  ).state;
  return applyWorkflow(null, opened, workflow, group.groupName, randomUUID(), sentAt).state;
}

/** The group's Admin assigns the thread to its User: the return to queue starts running. */
function assigned(group: Group, thread: ThreadState, workflow: ThreadWorkflow, now: string) {
  const transition = assignThread(thread, group.facts, group.adminId, group.userId!, now)!;
  return applyWorkflow(thread, transition.state, workflow, group.groupName, randomUUID(), now)
    .state;
}

function documentOf(group: Group, state: ThreadState): Document {
  const members = threadAudience(state, group.facts);
  return { _id: state.threadId, ...toDocument(state, 1, { version: 1, members }) };
}

/** insertMany batches of 1000, unordered, a few in flight (as history-load's Inserter). */
class Inserter {
  private pending: Document[] = [];
  private readonly flying = new Set<Promise<unknown>>();
  written = 0;

  constructor(private readonly threads: Collection<Document>) {}

  async add(document: Document): Promise<void> {
    this.pending.push(document);
    if (this.pending.length >= BATCH) await this.flush();
  }

  private async flush(): Promise<void> {
    const documents = this.pending;
    if (!documents.length) return;
    this.pending = [];
    while (this.flying.size >= IN_FLIGHT) await Promise.race(this.flying);
    const write = this.threads
      .insertMany(documents, { ordered: false })
      .then(() => (this.written += documents.length))
      .finally(() => this.flying.delete(write));
    this.flying.add(write);
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.flying);
  }
}

interface Loaded {
  threads: number;
  assigned: number;
  practices: number;
  seconds: number;
  perSecond: number;
}

/** N open threads over 100 practices of their own: a target days ahead, a third assigned. */
async function loadOpenThreads(threads: Collection<Document>, count: number): Promise<Loaded> {
  const groups = Array.from({ length: PRACTICES }, (_, i) => {
    const p = String(i + 1).padStart(3, '0');
    const g = {
      practiceId: `prc_timers_${p}`,
      groupId: `grp_timers_${p}`,
      groupName: 'Front Office',
      adminId: `mbr_timers_admin_${p}`,
      userId: `mbr_timers_user_${p}`,
      patientIds: Array.from({ length: 50 }, (_, k) => `pat_timers_${p}_${k}`),
    };
    return groupOf(g, {
      name: g.groupName,
      members: [
        { memberId: g.adminId, privilege: 'admin' },
        { memberId: g.userId, privilege: 'user' },
      ],
    });
  });
  const inserter = new Inserter(threads);
  const started = Date.now();
  let assignedCount = 0;
  let lastSaid = started;
  for (let n = 0; n < count; n++) {
    const group = groups[n % PRACTICES]!;
    const patientId = group.patientIds[Math.floor(n / PRACTICES) % group.patientIds.length]!;
    // Sent over the last day; the target is three business days, so it lies days ahead.
    const sentAt = new Date(started - (n % 1440) * 60_000).toISOString();
    let state = routedThread(group, `thr_timers_open_${n}`, patientId, sentAt, OPEN_WORKFLOW);
    if (n % 3 === 0) {
      // Assigned now: silent for a business hour before it returns to the queue.
      state = assigned(group, state, OPEN_WORKFLOW, new Date().toISOString());
      assignedCount++;
    }
    await inserter.add(documentOf(group, state));
    if (Date.now() - lastSaid > 15_000) {
      lastSaid = Date.now();
      say(`load: ${inserter.written} of ${count} threads stored`);
    }
  }
  await inserter.close();
  const seconds = (Date.now() - started) / 1000;
  return {
    threads: inserter.written,
    assigned: assignedCount,
    practices: PRACTICES,
    seconds,
    perSecond: inserter.written / seconds,
  };
}

// --- The sweep query ------------------------------------------------------------------------

const SWEEP_PROJECTION = { practiceId: 1, threadId: 1, dueAt: 1 } as const;

/** ThreadsRepository.due, as the repository sends it. */
const sweep = (threads: Collection<Document>, now: string, limit = ROUND_LIMIT) =>
  threads
    .find({ dueAt: { $lte: now } }, { projection: SWEEP_PROJECTION })
    .hint(DUE_INDEX)
    .sort(DUE_INDEX)
    .limit(limit)
    .toArray();

interface SweepFigures {
  ms: Summary;
  /** Samples that found something due (expected 0). */
  foundDue: number;
  plan: string;
}

async function measureSweep(db: Db, threads: Collection<Document>): Promise<SweepFigures> {
  for (let i = 0; i < 20; i++) await sweep(threads, new Date().toISOString());
  const times: number[] = [];
  let foundDue = 0;
  for (let i = 0; i < SWEEP_SAMPLES; i++) {
    const now = new Date().toISOString();
    const started = performance.now();
    const due = await sweep(threads, now);
    times.push(performance.now() - started);
    if (due.length) foundDue++;
  }
  return { ms: summarize(times), foundDue, plan: await planOf(db, new Date().toISOString()) };
}

/** PostgreSQL's plan of the sweep (FerretDB's explain), as its node types and FerretDB's pushdown flags. */
async function planOf(db: Db, now: string): Promise<string> {
  const explained = await db.command({
    explain: {
      find: 'threads',
      filter: { dueAt: { $lte: now } },
      projection: SWEEP_PROJECTION,
      sort: DUE_INDEX,
      limit: ROUND_LIMIT,
      hint: DUE_INDEX,
    },
    verbosity: 'queryPlanner',
  });
  const nodes: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    const node = value as Record<string, unknown>;
    if (typeof node['Node Type'] === 'string') {
      const index = typeof node['Index Name'] === 'string' ? ` (${node['Index Name']})` : '';
      nodes.push(`${node['Node Type']}${index}`);
    }
    Object.values(node).forEach(walk);
  };
  walk(explained.queryPlanner);
  // FerretDB's own flags (filterPushdown, sortingPushdown, limitPushdown, …), as it answers them.
  const flags = Object.entries(explained)
    .filter(([key, value]) => /pushdown/i.test(key) && typeof value === 'boolean')
    .map(([key, value]) => `${key} ${String(value)}`);
  return `${nodes.join(' → ') || 'no plan'}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

// --- Idle CPU -------------------------------------------------------------------------------

const IDLE_PROCESSES = [
  'routing-assignment',
  'ferretdb',
  'postgres backends',
  'postgres background',
] as const;

/**
 * The world's processes, PostgreSQL's split in two: the backends that answer FerretDB
 * (what the sweep costs there), and the rest: the postmaster (with the CPU of the
 * children it reaped, autovacuum workers among them), checkpointer, walwriter, autovacuum.
 */
function processes(world: BenchWorld): Record<string, number[]> {
  const all = world.pids();
  const backend = (pid: number) => {
    try {
      // "postgres: user database host(port) state"
      return /^postgres: \S+ \S+ \S+\(\d+\)/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  };
  const postgres = all.postgres ?? [];
  return {
    ...all,
    'postgres backends': postgres.filter(backend),
    'postgres background': postgres.filter((pid) => !backend(pid)),
  };
}
type IdleCpu = Record<(typeof IDLE_PROCESSES)[number], { perSecond: Summary; mean: number }>;

/** ms of CPU per second of each process, one sample a second, with nothing due. */
async function measureIdleCpu(world: BenchWorld): Promise<IdleCpu> {
  const all = processes(world);
  const pids = Object.fromEntries(IDLE_PROCESSES.map((name) => [name, all[name] ?? []]));
  const samples: Record<string, number[]> = Object.fromEntries(IDLE_PROCESSES.map((n) => [n, []]));
  const first = sampleCpu(pids);
  const started = performance.now();
  let previous = first;
  let at = started;
  for (let s = 0; s < IDLE_SECONDS; s++) {
    await sleep(Math.max(0, started + (s + 1) * 1000 - performance.now()));
    const now = performance.now();
    const sample = sampleCpu(pids);
    for (const name of IDLE_PROCESSES)
      samples[name]!.push(((sample[name]! - previous[name]!) * 1000) / ((now - at) / 1000));
    previous = sample;
    at = now;
  }
  const wall = (at - started) / 1000;
  return Object.fromEntries(
    IDLE_PROCESSES.map((name) => [
      name,
      {
        perSecond: summarize(samples[name]!),
        mean: ((previous[name]! - first[name]!) * 1000) / wall,
      },
    ]),
  ) as IdleCpu;
}

const SETTLE_WINDOW_MS = 5000;
const SETTLE_BOUND_MS = 300_000;

/**
 * Waits until PostgreSQL is about as quiet as before the load: a bulk insert is followed by
 * autovacuum and analyze of the new rows, which is the load's cost, not the timer's.
 * Answers the seconds waited (windows of 5 s; ∞ past the bound of 5 minutes).
 */
async function settle(world: BenchWorld, before: IdleCpu): Promise<number> {
  const quiet = before['postgres backends'].mean + before['postgres background'].mean;
  const threshold = Math.max(20, 1.5 * quiet);
  const started = performance.now();
  while (performance.now() - started < SETTLE_BOUND_MS) {
    const all = world.pids();
    const pids = { postgres: all.postgres ?? [] };
    const first = sampleCpu(pids).postgres!;
    const at = performance.now();
    await sleep(SETTLE_WINDOW_MS);
    const perSecond =
      ((sampleCpu(pids).postgres! - first) * 1000) / ((performance.now() - at) / 1000);
    if (perSecond <= threshold) return (performance.now() - started) / 1000;
  }
  return Infinity;
}

// --- The lease: "downtime" for the catch-up -----------------------------------------------

/**
 * The deadline timer's Redis lease (interface/deadline-timer.ts): while the
 * bench holds it, no replica fires anything, as if none ran; releasing it
 * lets the replica take it over at its next round and find what fell due.
 */
class Downtime {
  private key?: string;
  private readonly owner = `bench-timers-${randomUUID()}`;

  constructor(
    private readonly redis: Redis,
    private readonly database: string,
  ) {}

  async begin(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.key) {
      const keys = await this.redis.keys('gm:deadline-lease:*');
      this.key = keys.find((k) => k.endsWith(`:${this.database}`));
      if (this.key) break;
      if (Date.now() > deadline)
        throw new Error(`no deadline lease of ${this.database} in Redis: is the timer running?`);
      await sleep(200);
    }
    await this.redis.set(this.key, this.owner, 'PX', CATCH_UP_BOUND_MS);
    // A round that had taken the lease before may still be going: let it end.
    await sleep(1500);
  }

  async end(): Promise<void> {
    if (!this.key) return;
    if ((await this.redis.get(this.key)) === this.owner) await this.redis.del(this.key);
    this.key = undefined;
  }
}

// --- Firing ---------------------------------------------------------------------------------

interface Fired {
  threadId: string;
  overdue: TimelineEntry[];
}

async function overdueEntries(threads: Collection<Document>, ids: string[]): Promise<Fired[]> {
  const documents = await threads
    .find({ _id: { $in: ids } } as Document, { projection: { timeline: 1 } })
    .toArray();
  const byId = new Map(documents.map((d) => [String(d._id), d.timeline as TimelineEntry[]]));
  return ids.map((threadId) => ({
    threadId,
    overdue: (byId.get(threadId) ?? []).filter((step) => step.kind === 'overdue'),
  }));
}

interface CatchUp {
  threads: number;
  insertSeconds: number;
  /** From the lease's release to the first sweep that found none of them due (∞: not within the bound). */
  seconds: number;
  perSecond: number;
  /** Distinct `now`s of their overdue entries: the timer's rounds. */
  rounds: number;
  /** routing-assignment's CPU over the catch-up, per deadline fired. */
  cpuMsPerDeadline: number;
  /** CPU seconds of each busy process over the catch-up. */
  cpuSeconds: Record<string, number>;
  /** From routing-assignment's /metrics over the catch-up. */
  metrics: {
    fired: number;
    meanLatenessSeconds: number;
    threadLocks: number;
    meanLockWaitMs: number;
  };
  /** The sweep's plan with all of them due. */
  plan: string;
  wrong: { threadId: string; overdueEntries: number }[];
}

function benchGroup(world: BenchWorld): Group {
  const practice = world.practice!;
  const lab = practice.groups.lab!;
  return groupOf(
    {
      practiceId: practice.practiceId,
      groupId: practice.groupIds.lab!,
      groupName: lab.name,
      adminId: 'mbr_gadmin',
      userId: null,
      patientIds: ['pat_b', 'pat_d'],
    },
    { name: lab.name, members: lab.members },
  );
}

/** Sums of routing-assignment's /metrics series, by name and a label filter. */
async function metricsOf(world: BenchWorld): Promise<(name: string, label?: string) => number> {
  const text = await (await fetch(`${world.url('routing-assignment')}/metrics`)).text();
  const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
  return (name, label = '') =>
    lines
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .filter((line) => line.includes(label))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Where the CPU of a catch-up goes. */
const BUSY_PROCESSES = [
  'routing-assignment',
  'inbox-projection',
  'ferretdb',
  'postgres backends',
  'postgres background',
  'kafka',
  'redis',
  'load generator',
] as const;

async function catchUp(
  world: BenchWorld,
  db: Db,
  threads: Collection<Document>,
  downtime: Downtime,
  count: number,
): Promise<CatchUp> {
  const group = benchGroup(world);
  const sentAt = new Date(Date.now() - 5 * 60_000).toISOString();
  const ids: string[] = [];
  await downtime.begin();
  const insertStarted = Date.now();
  const inserter = new Inserter(threads);
  for (let n = 0; n < count; n++) {
    const threadId = `thr_timers_catchup_${n}`;
    ids.push(threadId);
    const patientId = group.patientIds[n % group.patientIds.length]!;
    await inserter.add(
      documentOf(group, routedThread(group, threadId, patientId, sentAt, plainTarget(60))),
    );
  }
  await inserter.close();
  const insertSeconds = (Date.now() - insertStarted) / 1000;
  const mine = new Set(ids);
  const dueBefore = (await sweep(threads, new Date().toISOString(), count + ROUND_LIMIT)).filter(
    (d) => mine.has(String(d._id)),
  ).length;
  if (dueBefore !== count) say(`catch-up: ${dueBefore} of ${count} due before the release`);
  const plan = await planOf(db, new Date().toISOString());
  const all = processes(world);
  const pids = Object.fromEntries(BUSY_PROCESSES.map((name) => [name, all[name] ?? []]));
  const cpuBefore = sampleCpu(pids);
  const metricsBefore = await metricsOf(world);
  await downtime.end();
  const released = performance.now();
  let seconds = Infinity;
  // Nothing else is due, so the sweep's first answer (limit 1: the poll itself stays light)
  // is one of them until all have fired.
  while (performance.now() - released < CATCH_UP_BOUND_MS) {
    if (!(await sweep(threads, new Date().toISOString(), 1)).length) {
      seconds = (performance.now() - released) / 1000;
      break;
    }
    await sleep(CATCH_UP_POLL_MS);
  }
  const cpuAfter = sampleCpu(pids);
  const metricsAfter = await metricsOf(world);
  const delta = (name: string, label?: string) =>
    metricsAfter(name, label) - metricsBefore(name, label);
  const locks = delta('gm_lock_wait_seconds_count', 'lock="threads"');
  const cpu = Object.fromEntries(
    BUSY_PROCESSES.map((name) => [name, cpuAfter[name]! - cpuBefore[name]!]),
  );
  const fired = await overdueEntries(threads, ids);
  return {
    threads: count,
    insertSeconds,
    seconds,
    perSecond: count / seconds,
    rounds: new Set(fired.flatMap((f) => f.overdue.map((e) => e.at))).size,
    cpuMsPerDeadline: (cpu['routing-assignment']! * 1000) / count,
    cpuSeconds: cpu,
    metrics: {
      fired: delta('gm_deadlines_fired_total', 'kind="overdue"'),
      meanLatenessSeconds:
        delta('gm_deadline_lateness_seconds_sum') / delta('gm_deadline_lateness_seconds_count'),
      threadLocks: locks,
      meanLockWaitMs: (delta('gm_lock_wait_seconds_sum', 'lock="threads"') * 1000) / locks,
    },
    plan,
    wrong: fired
      .filter((f) => f.overdue.length !== 1)
      .map((f) => ({ threadId: f.threadId, overdueEntries: f.overdue.length })),
  };
}

interface Live {
  threads: number;
  lateness: Summary;
  notFired: number;
  wrong: number;
}

/**
 * Threads due one after another over 15 s, from 1 s after their insert: how late each fired.
 * Targets are whole seconds (MessageResponseOverdue carries them as integers), so each
 * thread's sentAt is set back by the fraction of a second that puts its deadline at its
 * place in the spread: every phase of the timer's 500 ms round is hit alike.
 */
async function live(
  world: BenchWorld,
  threads: Collection<Document>,
  count: number,
): Promise<Live> {
  const group = benchGroup(world);
  const now = Date.now();
  const ids: string[] = [];
  const inserter = new Inserter(threads);
  for (let n = 0; n < count; n++) {
    const threadId = `thr_timers_live_${n}`;
    ids.push(threadId);
    const due = now + Math.round((1 + (LIVE_SPREAD_SECONDS * (n + 1)) / count) * 1000);
    const target = Math.ceil((due - now) / 1000);
    const sentAt = new Date(due - target * 1000).toISOString();
    const patientId = group.patientIds[n % group.patientIds.length]!;
    await inserter.add(
      documentOf(group, routedThread(group, threadId, patientId, sentAt, plainTarget(target))),
    );
  }
  await inserter.close();
  const lastDue = now + (1 + LIVE_SPREAD_SECONDS) * 1000;
  const bound = now + LIVE_BOUND_MS;
  while (Date.now() < bound) {
    await sleep(1000);
    if (Date.now() < lastDue) continue;
    // Nothing else is due: an empty first answer means all of them fired.
    if (!(await sweep(threads, new Date().toISOString(), 1)).length) break;
  }
  const fired = await overdueEntries(threads, ids);
  const lateness = fired.map(({ overdue: [first] }) =>
    first ? Date.parse(first.at) - Date.parse(String(first.details.respondBy)) : Infinity,
  );
  return {
    threads: count,
    lateness: summarize(lateness),
    notFired: fired.filter((f) => f.overdue.length === 0).length,
    wrong: fired.filter((f) => f.overdue.length > 1).length,
  };
}

// --- businessDeadline, in-process -------------------------------------------------------------

interface DeadlineCost {
  schedule: string;
  us: Summary;
}

/** µs per call over batches of 1000, starts spread over a year, a target of 3 business days. */
function measureBusinessDeadline(): DeadlineCost[] {
  const seconds = 3 * 8 * 3600;
  const year = Date.UTC(2027, 0, 1);
  const starts = Array.from(
    { length: 10_000 },
    (_, i) => new Date(year + Math.floor((i * 365 * 86_400_000) / 10_000)),
  );
  const measure = (schedule: string, hours: BusinessHours | null): DeadlineCost => {
    let sink = 0;
    const call = (i: number) => (sink += businessDeadline(starts[i]!, seconds, hours)!.getTime());
    for (let i = 0; i < starts.length; i++) call(i);
    const perBatch: number[] = [];
    for (let b = 0; b < 100; b++) {
      const started = performance.now();
      for (let i = 0; i < 1000; i++) call((b * 1000 + i) % starts.length);
      perBatch.push(((performance.now() - started) * 1000) / 1000);
    }
    if (sink === 0) say('businessDeadline: no deadline');
    return { schedule, us: summarize(perBatch) };
  };
  return [
    measure('America/New_York, weekdays 08:00–12:00 + 13:00–17:00', NEW_YORK),
    measure('none (always open)', null),
  ];
}

// --- The report -----------------------------------------------------------------------------

interface TimersReport {
  machine: Machine;
  command: string;
  before: { sweep: SweepFigures; cpu: IdleCpu };
  loaded: Loaded & { settledSeconds: number };
  after: { sweep: SweepFigures; cpu: IdleCpu };
  catchUp: CatchUp;
  live: Live;
  businessDeadline: DeadlineCost[];
}

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '∞');
const ratio = (after: number, before: number) => (before > 0 ? fixed(after / before, 2) : '–');
const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function renderTimers(r: TimersReport, label: string): string {
  const m = r.machine;
  const { before, after, loaded, catchUp: c, live: l } = r;
  const sweepRow = (name: string, key: 'p50' | 'p95') => [
    name,
    fixed(before.sweep.ms[key], 2),
    fixed(after.sweep.ms[key], 2),
    ratio(after.sweep.ms[key], before.sweep.ms[key]),
  ];
  const cpuRows = IDLE_PROCESSES.flatMap((name) => [
    [
      `${name} idle CPU, ms/s p50 / p95 / mean`,
      `${fixed(before.cpu[name].perSecond.p50, 1)} / ${fixed(before.cpu[name].perSecond.p95, 1)} / ${fixed(before.cpu[name].mean, 1)}`,
      `${fixed(after.cpu[name].perSecond.p50, 1)} / ${fixed(after.cpu[name].perSecond.p95, 1)} / ${fixed(after.cpu[name].mean, 1)}`,
      `${ratio(after.cpu[name].perSecond.p50, before.cpu[name].perSecond.p50)} / ${ratio(after.cpu[name].perSecond.p95, before.cpu[name].perSecond.p95)} / ${ratio(after.cpu[name].mean, before.cpu[name].mean)}`,
    ],
  ]);
  const wrong = c.wrong.length
    ? `**${c.wrong.length} not exactly once**: ${c.wrong
        .slice(0, 10)
        .map((w) => `${w.threadId} (${w.overdueEntries})`)
        .join(', ')}${c.wrong.length > 10 ? ', …' : ''}`
    : 'every one exactly once';
  return [
    `## ${label}`,
    '',
    `${m.date} · commit ${m.commit} · ${m.cpus} CPUs (${m.cpuModel}) · ${m.memoryGiB.toFixed(1)} GiB · Node ${m.node} · ` +
      `FerretDB ${m.ferretdb} · load average at start ${m.loadAverage}`,
    '',
    `\`${r.command}\``,
    '',
    '> Noisy: a small machine shared with other work while it ran; the six services, Kafka, PostgreSQL, FerretDB and ' +
      'Redis all share its cores. Compare runs of the same machine only.',
    '',
    `### Deadline timers with nothing due: the seeded store vs ${loaded.threads} open threads`,
    '',
    table(
      [
        '',
        'before (seeded store, no open deadlines)',
        `after (${loaded.threads} open threads)`,
        'after / before',
      ],
      [
        sweepRow(`sweep query ms p50 (${SWEEP_SAMPLES} samples)`, 'p50'),
        sweepRow(`sweep query ms p95 (${SWEEP_SAMPLES} samples)`, 'p95'),
        ...cpuRows,
        ['sweep plan (explain)', before.sweep.plan, after.sweep.plan, ''],
      ],
    ),
    '',
    ...(before.sweep.foundDue || after.sweep.foundDue
      ? [
          `**The sweep found something due** in ${before.sweep.foundDue} / ${after.sweep.foundDue} samples (before / after).`,
          '',
        ]
      : []),
    `Loaded straight into routing-assignment's \`threads\`: ${loaded.threads} open threads over ${loaded.practices} practices ` +
      `(${loaded.assigned} of them assigned, so they also carry a return to queue) in ${loaded.seconds.toFixed(1)} s ` +
      `(${loaded.perSecond.toFixed(0)} threads/s; insertMany of ${BATCH}, ${IN_FLIGHT} in flight), then ` +
      `${fixed(loaded.settledSeconds, 0)} s until PostgreSQL was back near its idle CPU before the load (5 s windows, ≤ 1.5× or 20 ms/s; the load leaves ` +
      'checkpoints and autovacuum behind) before the after figures. Each was sent within the ' +
      'last day to a Specific Members group with a 86,400 s (three business days) target in America/New_York business ' +
      'hours and a 3600 s return to queue: every `dueAt` lies ahead. Idle CPU: one sample a second over ' +
      `${IDLE_SECONDS} s; postgres backends are the connections FerretDB queries through, postgres background the postmaster ` +
      '(with the children it reaped), checkpointer, walwriter and autovacuum.',
    '',
    '### Firing',
    '',
    table(
      ['', ''],
      [
        [
          `catch-up: ${c.threads} threads already overdue (sent 5 min ago, 60 s target), stored while the bench held the timer's lease`,
          `${fixed(c.seconds, 1)} s from the lease's release until the sweep found none due (polled every ${CATCH_UP_POLL_MS} ms) = ` +
            `**${fixed(c.perSecond, 0)} deadlines/s**, in ${c.rounds} rounds; routing-assignment CPU ${fixed(c.cpuMsPerDeadline, 2)} ms per deadline; ` +
            `inserted in ${c.insertSeconds.toFixed(1)} s; overdue entries: ${wrong}`,
        ],
        [
          `CPU over the catch-up (${fixed(c.seconds, 1)} s wall, ${r.machine.cpus} CPUs)`,
          Object.entries(c.cpuSeconds)
            .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
            .join(', '),
        ],
        [
          'routing-assignment /metrics over the catch-up',
          `gm_deadlines_fired_total{kind="overdue"} +${c.metrics.fired}; mean gm_deadline_lateness_seconds ` +
            `${fixed(c.metrics.meanLatenessSeconds, 1)} s; ${c.metrics.threadLocks} thread locks taken (fires and the ` +
            `outbox relay's clears), mean wait ${fixed(c.metrics.meanLockWaitMs, 1)} ms`,
        ],
        [`sweep plan (explain) with the ${c.threads} due`, c.plan],
        [
          `live: ${l.threads} threads falling due evenly over ${LIVE_SPREAD_SECONDS} s`,
          `lateness (overdue entry's \`at\` − its \`respondBy\`) ms p50 / p95 / max: **${fixed(l.lateness.p50, 0)} / ${fixed(l.lateness.p95, 0)} / ${fixed(l.lateness.max, 0)}**` +
            `${l.notFired ? `; ${l.notFired} not fired within ${LIVE_BOUND_MS / 1000} s` : ''}${l.wrong ? `; ${l.wrong} fired more than once` : ''}`,
        ],
      ],
    ),
    '',
    '### businessDeadline, in-process (3 business days from 10,000 starts spread over 2027)',
    '',
    table(
      ['business hours', 'µs per call p50 / p95 (100 batches of 1000)'],
      r.businessDeadline.map((d) => [d.schedule, `${fixed(d.us.p50, 2)} / ${fixed(d.us.p95, 2)}`]),
    ),
    '',
  ].join('\n');
}

// --- The run --------------------------------------------------------------------------------

/** A variable of the routing-assignment process the world started (its own Redis, its database). */
function routingEnv(world: BenchWorld, name: string): string {
  const pid = world.pids()['routing-assignment']?.[0];
  const environ = pid ? readFileSync(`/proc/${pid}/environ`, 'utf8') : '';
  const value = environ
    .split('\0')
    .find((v) => v.startsWith(`${name}=`))
    ?.slice(name.length + 1);
  if (!value) throw new Error(`routing-assignment's ${name} not found`);
  return value;
}

const world = new BenchWorld(say);
let client: MongoClient | undefined;
let redis: Redis | undefined;
let downtime: Downtime | undefined;
let closing: Promise<void> | undefined;
const close = () =>
  (closing ??= (async () => {
    await downtime?.end().catch(() => undefined);
    redis?.disconnect();
    await client?.close().catch(() => undefined);
    await world.close();
  })());
process.once('SIGINT', () => {
  say('interrupted: tearing the world down');
  void close().finally(() => process.exit(130));
});

const loadAtStart = describeMachine('').loadAverage;
let report: TimersReport | undefined;
try {
  if (!flags['no-build']) buildServices(say);
  await world.open();
  const database = databaseOf('routing-assignment', world.runId);
  if (routingEnv(world, 'MONGODB_DATABASE') !== database)
    throw new Error(`routing-assignment does not use ${database}`);
  client = await new MongoClient(world.ferret.uri, { retryWrites: false }).connect();
  const db = client.db(database);
  const threads = db.collection<Document>('threads');
  redis = new Redis(routingEnv(world, 'REDIS_URL'), {
    lazyConnect: false,
    maxRetriesPerRequest: 3,
  });
  downtime = new Downtime(redis, database);
  say('settling for 5 s after the seed');
  await sleep(5000);

  say(`before: sweep query ${SWEEP_SAMPLES}×, idle CPU ${IDLE_SECONDS} s`);
  const before = { sweep: await measureSweep(db, threads), cpu: await measureIdleCpu(world) };

  say(`loading ${OPEN} open threads`);
  const stored = await loadOpenThreads(threads, OPEN);
  say(`loaded ${stored.threads} threads in ${stored.seconds.toFixed(1)} s; waiting for quiet`);
  const loaded = { ...stored, settledSeconds: await settle(world, before.cpu) };

  say(`after: sweep query ${SWEEP_SAMPLES}×, idle CPU ${IDLE_SECONDS} s`);
  const after = { sweep: await measureSweep(db, threads), cpu: await measureIdleCpu(world) };

  say(`catch-up: ${CATCH_UP} overdue threads`);
  const caught = await catchUp(world, db, threads, downtime, CATCH_UP);
  say(`catch-up: ${fixed(caught.seconds, 1)} s; letting the events drain for 10 s`);
  await sleep(10_000);

  say(`live: ${LIVE} threads due over ${LIVE_SPREAD_SECONDS} s`);
  const lived = await live(world, threads, LIVE);

  report = {
    machine: { ...describeMachine(world.ferretBinary()), loadAverage: loadAtStart },
    command: `npm run bench:timers -- ${process.argv.slice(2).join(' ')}`.trim(),
    before,
    loaded,
    after,
    catchUp: caught,
    live: lived,
    businessDeadline: [],
  };
} finally {
  await close();
}

say('businessDeadline in-process');
report.businessDeadline = measureBusinessDeadline();
const section = renderTimers(report, flags.label!);
process.stdout.write(`\n${section}\n`);
if (!flags['no-write']) say(`written to ${await writeSection(flags.label!, section)}`);
