/**
 * Figures into words: percentiles, the machine the run was on, and the
 * markdown section of a run, printed and kept in docs/benchmarks.md (one
 * section per --label, replaced when the label runs again).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../system-tests/faults/layout.js';
import type { Ceiling } from './ceiling.js';
import type { History } from './history.js';
import type { StepResult } from './ladder.js';
import type { Revocation } from './revocation.js';

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; Infinity (never happened within the bound) sorts last. */
export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

export interface Machine {
  date: string;
  commit: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  loadAverage: string;
  ferretdb: string;
}

const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

export function describeMachine(ferretBinary: string): Machine {
  const dirty = git('status', '--porcelain', '--untracked-files=no')
    ? ' (working tree modified)'
    : '';
  return {
    date: new Date().toISOString(),
    commit: `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty}`,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    ferretdb: `${path.basename(ferretBinary)}${process.env.GM_FERRETDB_BUILD ? ` (GM_FERRETDB_BUILD=${process.env.GM_FERRETDB_BUILD})` : ''}`,
  };
}

export interface RunReport {
  label: string;
  command: string;
  machine: Machine;
  steps: StepResult[];
  knee?: StepResult;
  /** `--history-load`: the same ladder again over the loaded history. */
  stored?: { threads: number; steps: StepResult[]; knee?: StepResult };
  stepSeconds: number;
  ceiling?: Ceiling;
  history?: History;
  revocation?: Revocation;
  notMeasured: string[];
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '∞');
const quad = (s: Summary) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}`;
const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function ladder(r: RunReport, over = 'an empty store'): string[] {
  const rows = r.steps.map((s) => [
    s.rate,
    s.acceptedPerSecond.toFixed(1),
    Object.entries(s.failures)
      .map(([k, v]) => `${v}× ${k}`)
      .join(', ') || '0',
    quad(s.post),
    quad(s.visible),
    s.unseen,
    s.missing,
    `${s.pendingMid} → ${s.pendingEnd}`,
    s.lagAtEnd,
    s.backlog ? 'grew' : 'flat',
    (s.drainMs / 1000).toFixed(1),
    ms(s.lateMaxMs),
    s.kafkaRecordsPerMessage.toFixed(1),
  ]);
  return [
    `### Open-loop ladder over ${over} (${r.stepSeconds} s per step, patients → Billing, its Admin's live feed)`,
    '',
    table(
      [
        'msg/s offered',
        'accepted/s',
        'failed',
        'POST ms p50 / p95 / p99 / max',
        'POST→visible ms p50 / p95 / p99 / max',
        'never seen',
        'missing from inbox',
        'pending mid → end',
        'Kafka lag at end',
        'backlog',
        'drain s',
        'generator late ms',
        'Kafka records / msg',
      ],
      rows,
    ),
    '',
    r.knee
      ? `**Knee: ${r.knee.rate} msg/s** (highest step with p99 POST→visible ≤ 500 ms and no growing backlog).`
      : '**Knee: none** (no step had p99 POST→visible ≤ 500 ms without a growing backlog).',
    '',
    "_pending_: sends started and not yet in the Admin's feed (nor refused), at mid-step and when the last send started; " +
      '_backlog grew_: pending rose by more than half a second of traffic over the second half of the step, or the Kafka lag of ' +
      'routing-assignment + inbox-projection on the thread topics exceeded one second of traffic when sending stopped; ' +
      "_drain_: from the last send to every accepted thread in the feed (bounded); _missing_: accepted but not in the Admin's " +
      "Billing listing after the drain; _generator late_: the load generator's own lateness against its schedule.",
  ];
}

/** The ladder again with the loaded history stored, and each step's p99 as a ratio of the empty store's. */
function storedLadder(r: RunReport): string[] {
  const st = r.stored;
  if (!st) return [];
  const again = { ...r, steps: st.steps, knee: st.knee };
  const ratios = st.steps.flatMap((s) => {
    const empty = r.steps.find((e) => e.rate === s.rate);
    return empty ? [`${s.rate}/s ${(s.visible.p99 / empty.visible.p99).toFixed(2)}`] : [];
  });
  return [
    ...ladder(again, `${st.threads} stored threads`),
    '',
    `p99 POST→visible, stored history / empty store: ${ratios.join(', ') || '–'}.`,
    '',
    ...cpu(again, `, over ${st.threads} stored threads`),
  ];
}

function cpu(r: RunReport, over = ''): string[] {
  const names = Object.keys(r.steps[0]?.cpu ?? {});
  const perMessage = (s: StepResult, name: string) =>
    s.accepted ? ((s.cpu[name]! * 1000) / s.accepted).toFixed(1) : '–';
  const total = (s: StepResult) => Object.values(s.cpu).reduce((a, b) => a + b, 0);
  const last = r.steps.at(-1);
  return [
    `### CPU per accepted message (ms of CPU, step and its drain${over})`,
    '',
    table(
      ['process', ...r.steps.map((s) => `${s.rate}/s`)],
      [
        ...names.map((n) => [n, ...r.steps.map((s) => perMessage(s, n))]),
        [
          '**total**',
          ...r.steps.map((s) =>
            s.accepted ? `**${((total(s) * 1000) / s.accepted).toFixed(1)}**` : '–',
          ),
        ],
        [
          'cores busy (total CPU s / wall s)',
          ...r.steps.map((s) => (total(s) / (s.seconds + s.drainMs / 1000)).toFixed(2)),
        ],
      ],
    ),
    '',
    `### Resident memory (VmRSS, MiB) after the last step (${last?.rate ?? '–'}/s)`,
    '',
    table(
      ['process', 'MiB'],
      Object.entries(last?.rssMiB ?? {}).map(([n, v]) => [n, v.toFixed(0)]),
    ),
  ];
}

function ceiling(r: RunReport): string[] {
  const c = r.ceiling;
  if (!c) return [];
  const knee = r.knee?.rate;
  const ratio = (rate: number) => (knee ? `${((knee / rate) * 100).toFixed(2)} %` : '–');
  return [
    `### Ceiling on the same machine and servers (record ${c.recordBytes} B, a MessageSent of the ladder)`,
    '',
    table(
      ['raw operation', 'per second', 'knee as share of it'],
      [
        [
          'kafkajs produce (batches of 100, acks=all)',
          c.kafkaProducePerSecond.toFixed(0),
          ratio(c.kafkaProducePerSecond),
        ],
        [
          'kafkajs consume (fresh group, eachBatch)',
          c.kafkaConsumePerSecond.toFixed(0),
          ratio(c.kafkaConsumePerSecond),
        ],
        [
          `mongodb insertOne on FerretDB (16 concurrent, ${c.mongoOps.inserts} ops)`,
          c.mongoInsertPerSecond.toFixed(0),
          ratio(c.mongoInsertPerSecond),
        ],
        [
          `mongodb updateOne by _id on FerretDB (16 concurrent, ${c.mongoOps.updates} ops)`,
          c.mongoUpdatePerSecond.toFixed(0),
          ratio(c.mongoUpdatePerSecond),
        ],
      ],
    ),
  ];
}

function history(r: RunReport): string[] {
  const h = r.history;
  if (!h) return [];
  const rebuild = h.rebuild
    ? `Projection rebuild (POST /admin/rebuild): ${h.rebuild.state}, ${h.rebuild.events} events in ${h.rebuild.wallSeconds.toFixed(1)} s wall ` +
      `= ${(h.rebuild.events / h.rebuild.wallSeconds).toFixed(0)} events/s (service's own figure: ${h.rebuild.serviceEventsPerSecond ?? '–'} events/s; ` +
      'both include its fixed 1.1 s wait for every process to see the new generation).'
    : 'Projection rebuild: not run.';
  return [
    `### History (what the world holds after the ladder: ${h.threadsHeld} threads in the Admin's Billing group)`,
    '',
    `Inbox page (25 threads, walking the cursor), ${h.pageRequests} requests one after another: ` +
      `p50 / p95 / p99 / max ${quad(h.page)} ms.`,
    '',
    ...(h.loaded
      ? [
          `Loaded after the first ladder, before the second (--history-load): ${h.loaded.threads} threads over ${h.loaded.practices} practices, ` +
            `${h.loaded.inBenchGroup} of them in the Admin's Lab Services group, in ${h.loaded.seconds.toFixed(0)} s ` +
            `(${h.loaded.documentsPerSecond} documents/s, bulk inserts into each service's store). ` +
            `Inbox page over Lab Services, ${h.pageRequests} requests: p50 / p95 / p99 / max ${quad(h.loaded.page)} ms.`,
          '',
        ]
      : []),
    rebuild,
  ];
}

const HOW: Record<string, string> = {
  deactivation: 'member deactivated (PUT /directory/members/:id, active false)',
  group: 'removed from the group (PUT /message-groups/:id)',
  'care-team': "removed from the patient's care team (PUT /directory/patients/:id)",
};

function revocation(r: RunReport): string[] {
  const v = r.revocation;
  if (!v) return [];
  const triple = (s: Summary) => (s.n ? `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.max)}` : '–');
  return [
    `### Revocation (${v.perKind} per kind: change accepted → access lost on inbox-projection, polled every ${v.pollMs} ms, bound ${v.boundMs / 1000} s)`,
    '',
    table(
      [
        'change',
        'samples',
        'change PUT ms p50',
        'gone from listing ms p50 / p95 / max',
        'GET thread 404 ms p50 / p95 / max',
        'feed `removed` ms p50 / p95 / max',
      ],
      v.kinds.map((k) => [
        HOW[k.kind] ?? k.kind,
        `${k.samples}${k.failed ? ` (${k.failed} failed)` : ''}`,
        k.samples ? ms(k.change.p50) : '–',
        triple(k.listingGone),
        triple(k.get404),
        triple(k.feedRemoved),
      ]),
    ),
    '',
    "Per sample a fresh member first sees a fresh thread (Billing: a User it is assigned to; Diabetes Care Team: on pat_c's care team), " +
      "then the change is made; times run from the change's answer to the poll answer that first showed the loss (∞: not within the bound). " +
      "Each change recomputes every thread of the group (or the patient's, or the member's groups') that the ladder left.",
  ];
}

export function renderSection(r: RunReport): string {
  const m = r.machine;
  return [
    `## ${r.label}`,
    '',
    `${m.date} · commit ${m.commit} · ${m.cpus} CPUs (${m.cpuModel}) · ${m.memoryGiB.toFixed(1)} GiB · Node ${m.node} · ` +
      `FerretDB ${m.ferretdb} · load average at start ${m.loadAverage}`,
    '',
    `\`${r.command}\``,
    '',
    '> Noisy: a small machine shared with other work while it ran; the load generator, the six services, Kafka, ' +
      'PostgreSQL, FerretDB and Redis all share its cores. Compare runs of the same machine only.',
    '',
    ...ladder(r),
    '',
    ...cpu(r),
    '',
    ...storedLadder(r),
    '',
    ...revocation(r),
    '',
    ...ceiling(r),
    '',
    ...history(r),
    '',
    '### Not measured',
    '',
    ...r.notMeasured.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

const DOCS = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

const HEADER = `# Benchmarks

Figures of \`npm run bench\` (bench/README.md): an open-loop rate ladder
through the public APIs (patients → messaging-intake → Kafka →
routing-assignment → inbox-projection → the group Admin's live feed), CPU
and memory per process, the raw Kafka and FerretDB ceiling on the same
machine, and the read side over the history the run wrote. Every run starts
a world of its own (own Kafka, PostgreSQL + FerretDB, Redis, the six
services on ports 43xx) and tears it down.

\`\`\`bash
npm run bench -- --label NAME                       # default ladder 5,12,20,35,50,75,100 msg/s, 20 s a step
npm run bench -- --rates 5,10 --step-seconds 8 --label try --no-write   # a short look
\`\`\`

Each run is a section below, named by its \`--label\` (running a label again replaces its section).
`;

const marker = (label: string, end = false) => `<!-- bench:${end ? 'end' : 'start'}:${label} -->`;

/** Replaces or appends the label's section, formatted as the repository's Prettier config says. */
export async function writeSection(label: string, section: string): Promise<string> {
  let text = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : HEADER;
  const block = `${marker(label)}\n${section.trimEnd()}\n${marker(label, true)}\n`;
  const start = text.indexOf(marker(label));
  const end = text.indexOf(marker(label, true));
  if (start >= 0 && end > start) {
    text = text.slice(0, start) + block + text.slice(end + marker(label, true).length + 1);
  } else {
    text = `${text.trimEnd()}\n\n${block}`;
  }
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(DOCS)) ?? {};
  writeFileSync(DOCS, await prettier.format(text, { ...config, filepath: DOCS }));
  return path.relative(REPO_ROOT, DOCS);
}
