/**
 * The benchmark, one command (bench/README.md):
 *
 *   npm run bench -- [--label NAME] [--rates 5,12,20] [--step-seconds 20] …
 *
 * Builds the services, starts a world of its own, runs the open-loop
 * ladder, the revocation probes, the history measurements and the raw
 * ceiling, prints the figures,
 * writes them to docs/benchmarks.md under the label, and tears the world
 * down (also on Ctrl-C).
 */
import { parseArgs } from 'node:util';
import { measureCeiling } from './ceiling.js';
import { measureHistory } from './history.js';
import { loadHistory, type HistoryLoad } from './history-load.js';
import { BODY, kneeOf, Ladder } from './ladder.js';
import { describeMachine, renderSection, writeSection, type RunReport } from './report.js';
import { RevocationBench } from './revocation.js';
import { BenchWorld, buildServices } from './world.js';

const { values: flags } = parseArgs({
  options: {
    label: { type: 'string', default: process.env.BENCH_LABEL ?? 'local' },
    rates: { type: 'string', default: process.env.BENCH_RATES ?? '5,12,20,35,50,75,100' },
    'step-seconds': { type: 'string', default: process.env.BENCH_STEP_SECONDS ?? '20' },
    'drain-seconds': { type: 'string', default: '30' },
    'fall-over-ms': { type: 'string', default: '5000' },
    'page-requests': { type: 'string', default: '200' },
    'history-seed': { type: 'string', default: '0' },
    'history-load': { type: 'string', default: '0' },
    'history-seed-rate': { type: 'string' },
    revocations: { type: 'string', default: '10' },
    'no-revocation': { type: 'boolean', default: false },
    'no-ceiling': { type: 'boolean', default: false },
    'no-history': { type: 'boolean', default: false },
    'no-rebuild': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
  strict: true,
});

const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a positive number, not "${text}"`);
  return n;
};
const rates = flags.rates!.split(',').map((r) => positive('rates', r.trim()));
const stepSeconds = positive('step-seconds', flags['step-seconds']!);
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const world = new BenchWorld(say);
let closing: Promise<void> | undefined;
const close = () => (closing ??= world.close());
process.once('SIGINT', () => {
  say('interrupted: tearing the world down');
  void close().finally(() => process.exit(130));
});

const loadAtStart = describeMachine('').loadAverage;
let report: RunReport | undefined;
const ladder = { current: undefined as Ladder | undefined };
try {
  if (!flags['no-build']) buildServices(say);
  await world.open();
  const runner = (ladder.current = new Ladder(world, say));
  await runner.open();
  await runner.warmUp();
  const ladderOptions = {
    rates,
    stepSeconds,
    drainSeconds: positive('drain-seconds', flags['drain-seconds']!),
    fallOverMs: positive('fall-over-ms', flags['fall-over-ms']!),
  };
  const steps = await runner.run(ladderOptions);
  // With --history-load: the same ladder again, once the history is stored.
  let loaded: HistoryLoad | undefined;
  let stored: RunReport['stored'];
  const toLoad = Number(flags['history-load']);
  if (toLoad > 0) {
    say(`history load: ${toLoad} threads straight into the stores`);
    loaded = await loadHistory(world.historyTarget(toLoad), say);
    say(
      `history load: ${loaded.threads} threads in ${loaded.seconds.toFixed(0)} s; the ladder again`,
    );
    const again = await runner.run(ladderOptions);
    stored = { threads: loaded.threads, steps: again, knee: kneeOf(again) };
  }
  const knee = kneeOf(steps);
  const notMeasured: string[] = [];
  const skipped = rates.filter((r) => !steps.some((s) => s.rate === r));
  if (skipped.length)
    notMeasured.push(`ladder steps ${skipped.join(', ')} msg/s (an earlier step fell over)`);

  // Right after the ladder: its threads are the history each revocation's recompute runs over.
  let revocation;
  if (!flags['no-revocation']) {
    const perKind = Math.round(positive('revocations', flags.revocations!));
    say(`revocation: ${perKind} samples of each kind`);
    revocation = await new RevocationBench(world, say).run(perKind);
    for (const k of revocation.kinds)
      if (k.failed)
        notMeasured.push(
          `revocation ${k.kind}: ${k.failed} of ${perKind} samples failed in setup (${k.firstFailure})`,
        );
  } else notMeasured.push('revocation (--no-revocation)');

  let history;
  if (!flags['no-history']) {
    const seed = Number(flags['history-seed']);
    if (seed > 0) {
      const rate = Number(flags['history-seed-rate'] ?? knee?.rate ?? 10);
      say(`history: sending ${seed} more threads at ${rate}/s`);
      await runner.seed(seed, rate);
    }
    history = await measureHistory(world, {
      threadsHeld: (await runner.listed()).size,
      pageRequests: positive('page-requests', flags['page-requests']!),
      rebuild: !flags['no-rebuild'],
      rebuildBoundSeconds: 300,
      loaded,
    });
    notMeasured.push(...history.notMeasured);
  } else notMeasured.push('history (--no-history)');

  let ceiling;
  if (!flags['no-ceiling']) {
    say('ceiling: raw kafkajs and mongodb on the same servers');
    ceiling = await measureCeiling(world, BODY);
  } else notMeasured.push('ceiling (--no-ceiling)');

  const machine = { ...describeMachine(world.ferretBinary()), loadAverage: loadAtStart };
  report = {
    label: flags.label!,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    steps,
    knee,
    stored,
    stepSeconds,
    ceiling,
    history,
    revocation,
    notMeasured: [
      ...notMeasured,
      revocation
        ? "access-audit (the fault world runs six services without it; the revocation probes' thread opens only reach inbox-projection's outbox)"
        : 'access-audit (the fault world runs six services; no thread is opened here, so it has nothing to record)',
    ],
  };
} finally {
  await ladder.current?.close();
  await close();
}

const section = renderSection(report);
process.stdout.write(`\n${section}\n`);
if (!flags['no-write']) say(`written to ${await writeSection(report.label, section)}`);
