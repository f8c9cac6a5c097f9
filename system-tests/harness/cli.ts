/**
 * The system-test harness, as a command (Jest's global setup and teardown run
 * it; it also works by hand while writing a suite):
 *
 *   node --import @swc-node/register/esm-register system-tests/harness/cli.ts up
 *   node --import @swc-node/register/esm-register system-tests/harness/cli.ts down
 *
 * `up`: native stack (reusing tools/jest/stack-global-setup.js), a Kafka
 * broker of the run's own (below), build, the seven services as separate OS
 * processes on ports 4101–4107 with databases `st_<svc>_<runid>` and consumer
 * groups `st-<svc>-<runid>`, readiness (bounded), then the run's two practices
 * seeded through HTTP; writes `.local/system-tests/current.json`. On any
 * failure it stops what it started and exits 1 with the last log lines.
 *
 * `down`: SIGTERM the run's processes (SIGKILL after 10 s), drop its
 * databases, stop and wipe its broker (SYSTEM_TESTS_KEEP=1 keeps them), print
 * the suites' summaries and the timings.
 *
 * The broker: the native stack's own Kafka (deploy/local/stack.sh, started
 * with GM_STACK_DIR=.local/system-tests-kafka on 127.0.0.1:9192), fresh for
 * every run. On the shared broker (9092) every run would add a few hundred
 * records to the compacted topics that every integration test replays within
 * a fixed bound, and the run's seven services would consume (and load the CPU
 * with) every integration test's events while `npm test` runs them.
 * SYSTEM_TESTS_SHARED_KAFKA=1 uses the shared broker instead; the run's
 * consumer groups then start at the end of every topic.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { ALL_TOPICS } from '@gm/contracts';
import { mainPracticeFixture, otherPracticeFixture } from './fixtures.js';
import {
  consumerGroupOf,
  CURRENT_RUN_FILE,
  portOf,
  JAEGER_PORTS,
  REPO_ROOT,
  RUNS_DIR,
  SERVICE_NAMES,
  serviceUrls,
  type RunInfo,
  type ServiceName,
  type ServiceProcess,
} from './layout.js';
import {
  runsService,
  startService,
  stopProcesses,
  tail,
  waitReady,
  type Infrastructure,
} from './processes.js';
import { writtenTokens } from './http.js';
import { seedPractice } from './seed.js';

const READY_TIMEOUT_MS = Number(process.env.SYSTEM_TESTS_READY_TIMEOUT_MS) || 60_000;
const SHARED_KAFKA = Boolean(process.env.SYSTEM_TESTS_SHARED_KAFKA);
const OWN_KAFKA_PORT = Number(process.env.SYSTEM_TESTS_KAFKA_PORT) || 9192;
// Per port, so a second run (SYSTEM_TESTS_PORT_BASE, SYSTEM_TESTS_KAFKA_PORT, SYSTEM_TESTS_RUN_FILE) can live beside the first.
const OWN_KAFKA_DIR = path.join(
  REPO_ROOT,
  '.local',
  OWN_KAFKA_PORT === 9192 ? 'system-tests-kafka' : `system-tests-kafka-${OWN_KAFKA_PORT}`,
);
const KEEP_RUNS = 5;
const say = (line: string) => process.stderr.write(`[system-tests] ${line}\n`);

class Phases {
  readonly seconds: Record<string, number> = {};
  private readonly started = Date.now();

  async run<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const start = Date.now();
    const result = await work();
    this.seconds[name] = (Date.now() - start) / 1000;
    say(`${name}: ${this.seconds[name].toFixed(1)} s`);
    return result;
  }

  total(): number {
    return (Date.now() - this.started) / 1000;
  }
}

const newRunId = () =>
  `${Date.now().toString(36)}${randomBytes(2).toString('hex').slice(0, 3)}`.toLowerCase();

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function stackUp(): Promise<Infrastructure> {
  const file = path.join(REPO_ROOT, 'tools', 'jest', 'stack-global-setup.js');
  const { default: ensureStack } = (await import(pathToFileURL(file).href)) as {
    default: () => Promise<void>;
  };
  await ensureStack();
  return {
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    mongoUri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/** `deploy/local/stack.sh start|stop kafka` for the run's own broker (its own state directory and ports). */
function ownKafka(command: 'start' | 'stop'): void {
  mkdirSync(OWN_KAFKA_DIR, { recursive: true });
  const log = path.join(OWN_KAFKA_DIR, 'stack.log');
  const fd = openSync(log, 'a');
  try {
    const result = spawnSync('bash', ['deploy/local/stack.sh', command, 'kafka'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', fd, fd],
      env: {
        ...withoutNodeOptions(),
        GM_STACK_DIR: OWN_KAFKA_DIR,
        GM_KAFKA_PORT: String(OWN_KAFKA_PORT),
        GM_KAFKA_CONTROLLER_PORT: String(OWN_KAFKA_PORT + 1),
      },
    });
    if (result.status !== 0) throw new Error(`stack.sh ${command} kafka failed:\n${tail(log)}`);
  } finally {
    closeSync(fd);
  }
}

const JAEGER_DIR = path.join(REPO_ROOT, '.local', `system-tests-jaeger-${JAEGER_PORTS.otlp}`);

/** `deploy/local/jaeger.sh start|stop` for the run's own OTLP receiver (builds it once, ~7 min). */
function ownJaeger(command: 'start' | 'stop'): void {
  mkdirSync(JAEGER_DIR, { recursive: true });
  const log = path.join(JAEGER_DIR, 'jaeger-sh.log');
  const fd = openSync(log, 'a');
  try {
    const result = spawnSync('bash', ['deploy/local/jaeger.sh', command], {
      cwd: REPO_ROOT,
      stdio: ['ignore', fd, fd],
      env: {
        ...withoutNodeOptions(),
        GM_JAEGER_DIR: JAEGER_DIR,
        GM_JAEGER_OTLP_PORT: String(JAEGER_PORTS.otlp),
        GM_JAEGER_QUERY_PORT: String(JAEGER_PORTS.query),
        GM_JAEGER_QUERY_GRPC_PORT: String(JAEGER_PORTS.queryGrpc),
        GM_JAEGER_HEALTH_PORT: String(JAEGER_PORTS.health),
      },
    });
    if (result.status !== 0) throw new Error(`jaeger.sh ${command} failed:\n${tail(log)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Builds the services under test and the libraries they use (Nx caches: the
 * fault suite's setup, which runs after this one, builds nothing again).
 */
function build(runDir: string): void {
  const log = path.join(runDir, 'build.log');
  const fd = openSync(log, 'a');
  try {
    const result = spawnSync(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'build',
        '--output-style=static',
        `--projects=${SERVICE_NAMES.map((name) => `@gm/${name}`).join(',')}`,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', fd, fd], env: withoutNodeOptions() },
    );
    if (result.status !== 0) throw new Error(`build failed:\n${tail(log, 40)}`);
  } finally {
    closeSync(fd);
  }
}

function withoutNodeOptions(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

function readCurrent(): RunInfo | undefined {
  if (!existsSync(CURRENT_RUN_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(CURRENT_RUN_FILE, 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

/** Pids of a run that still run our service entry points (never anything else). */
const livePids = (services: Partial<Record<ServiceName, Pick<ServiceProcess, 'pid'>>>) =>
  SERVICE_NAMES.flatMap((name) => {
    const pid = services[name]?.pid;
    return pid && runsService(pid, name) ? [pid] : [];
  });

/** Drops what a run created in MongoDB and (on the shared broker) Kafka; stops and wipes its own broker. */
async function cleanUp(run: Pick<RunInfo, 'services' | 'mongoUri' | 'kafkaBrokers' | 'ownKafka'>) {
  const services = Object.values(run.services);
  const mongo = new MongoClient(run.mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    await mongo.connect();
    for (const service of services) await mongo.db(service.database).dropDatabase();
  } finally {
    await mongo.close();
  }
  if (run.ownKafka) {
    ownKafka('stop');
    rmSync(path.join(OWN_KAFKA_DIR, 'data'), { recursive: true, force: true });
    return;
  }
  const kafka = new Kafka({
    clientId: 'system-tests-cleanup',
    brokers: run.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = services.map((s) => s.consumerGroup);
    await admin.deleteGroups(groups).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    const topics = groups.map((g) => `gm.dead-letter.${g}`).filter((t) => existing.has(t));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * On the shared broker, starts the run's new consumer groups at the end of
 * every topic: the run's practices are new, so the history on the topics is
 * other runs' data, and replaying it (every integration test run adds to the
 * compacted topics) would cost minutes on a small machine. Rebuilding
 * replicas from the topics is the integration tests' subject;
 * SYSTEM_TESTS_REPLAY_HISTORY=1 replays anyway.
 */
async function startGroupsAtTopicEnds(
  runId: string,
  services: readonly ServiceName[],
  brokers: string[],
) {
  const kafka = new Kafka({ clientId: 'system-tests-setup', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: { topic: string; partition: number; offset: string }[];
  try {
    const existing = new Set(await admin.listTopics());
    const topics = ALL_TOPICS.map((t) => t.name).filter((t) => existing.has(t));
    ends = (
      await Promise.all(
        topics.map(async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
            topic,
            partition,
            offset: high,
          })),
        ),
      )
    ).flat();
  } finally {
    await admin.disconnect();
  }
  // One short-lived member per (new, empty) group commits the ends; admin.setOffsets
  // would cost a 5 s fetch wait per topic and group.
  await Promise.all(
    services.map(async (service) => {
      const consumer = kafka.consumer({
        groupId: consumerGroupOf(service, runId),
        maxWaitTimeInMs: 100,
      });
      await consumer.connect();
      try {
        const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
        await consumer.subscribe({ topics: [...new Set(ends.map((e) => e.topic))] });
        await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
        await joined;
        await consumer.commitOffsets(ends);
      } finally {
        await consumer.disconnect();
      }
    }),
  );
}

/** Keeps the last few runs' logs. */
function pruneOldRuns(): void {
  if (!existsSync(RUNS_DIR)) return;
  const runs = readdirSync(RUNS_DIR)
    .map((name) => path.join(RUNS_DIR, name))
    .filter((dir) => statSync(dir).isDirectory())
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const dir of runs.slice(KEEP_RUNS)) rmSync(dir, { recursive: true, force: true });
}

async function up(): Promise<void> {
  const phases = new Phases();
  const runId = newRunId();
  const runDir = path.join(RUNS_DIR, runId);
  mkdirSync(runDir, { recursive: true });
  say(`run ${runId}: logs in ${path.relative(REPO_ROOT, runDir)}/`);

  const infrastructure = await phases.run('stack', stackUp);

  await phases.run('previous run', async () => {
    const previous = readCurrent();
    if (!previous) return;
    const pids = livePids(previous.services);
    if (pids.length) {
      say(`stopping ${pids.length} service(s) of the unfinished run ${previous.runId}`);
      await stopProcesses(pids);
    }
    if (!process.env.SYSTEM_TESTS_KEEP) await cleanUp(previous).catch(() => undefined);
    rmSync(CURRENT_RUN_FILE, { force: true });
  });

  const busy = (
    await Promise.all(SERVICE_NAMES.map(async (s) => ((await answers(portOf(s))) ? s : null)))
  ).filter(Boolean);
  if (busy.length) {
    throw new Error(
      `ports ${busy.map((s) => portOf(s as ServiceName)).join(', ')} are already in use by ` +
        'processes this harness did not start; set SYSTEM_TESTS_PORT_BASE to move the run',
    );
  }

  if (!SHARED_KAFKA) {
    await phases.run(`own Kafka broker (127.0.0.1:${OWN_KAFKA_PORT})`, () => {
      // A broker left by an interrupted run is reused; otherwise a fresh one is formatted.
      ownKafka('start');
      infrastructure.kafkaBrokers = [`127.0.0.1:${OWN_KAFKA_PORT}`];
    });
  }
  await phases.run(`Jaeger, the OTLP receiver (127.0.0.1:${JAEGER_PORTS.otlp})`, () => {
    ownJaeger('start');
    infrastructure.otlpEndpoint = `http://127.0.0.1:${JAEGER_PORTS.otlp}`;
  });
  await phases.run('build', () => build(runDir));
  if (SHARED_KAFKA && !process.env.SYSTEM_TESTS_REPLAY_HISTORY) {
    await phases.run('consumer groups at topic ends', () =>
      startGroupsAtTopicEnds(runId, SERVICE_NAMES, infrastructure.kafkaBrokers),
    );
  }
  const secret = `st-${randomBytes(24).toString('hex')}`;
  const services = {} as Record<ServiceName, ServiceProcess>;
  const stopAll = () => stopProcesses(Object.values(services).map((s) => s.pid));
  const onSignal = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await phases.run('start and ready', async () => {
      for (const name of SERVICE_NAMES) {
        services[name] = startService(name, runId, runDir, secret, infrastructure);
      }
      const results = await Promise.all(
        SERVICE_NAMES.map(
          async (name) => [name, await waitReady(services[name], READY_TIMEOUT_MS)] as const,
        ),
      );
      for (const [name, ready] of results) {
        services[name].ready = ready;
        if (ready) continue;
        throw new Error(
          `${name} did not become ready within ${READY_TIMEOUT_MS / 1000} s; last lines of ${services[name].log}:\n${tail(services[name].log)}`,
        );
      }
    });

    const urls = serviceUrls({ services } as RunInfo);
    const practices = await phases.run('seed (two practices, replicas caught up)', async () => {
      const target = { urls, secret };
      const [main, other] = await Promise.all([
        seedPractice(target, mainPracticeFixture(`prc_st_${runId}`)),
        seedPractice(target, otherPracticeFixture(`prc_st2_${runId}`)),
      ]);
      return { main, other };
    });

    const run: RunInfo = {
      runId,
      secret,
      runDir,
      ...infrastructure,
      ownKafka: !SHARED_KAFKA,
      jaegerQueryUrl: `http://127.0.0.1:${JAEGER_PORTS.query}`,
      services,
      practices,
      consistencyTokens: writtenTokens(),
      timings: { ...phases.seconds, 'setup total': phases.total() },
      readyAt: new Date().toISOString(),
    };
    writeFileSync(CURRENT_RUN_FILE, `${JSON.stringify(run, null, 2)}\n`);
    appendFileSync(
      path.join(runDir, 'summary.txt'),
      `setup: ${Object.entries(run.timings)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}\n`,
    );
    say(
      `ready in ${phases.total().toFixed(1)} s: ${SERVICE_NAMES.map((s) => `${s} :${portOf(s)}`).join(', ')}`,
    );
  } catch (error) {
    await stopAll();
    ownJaeger('stop');
    if (!process.env.SYSTEM_TESTS_KEEP) {
      // Databases created before the failure go too, not only the broker.
      await cleanUp({ ...infrastructure, ownKafka: !SHARED_KAFKA, services }).catch(
        (cleanUpError: Error) => say(`clean-up incomplete: ${cleanUpError.message}`),
      );
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function down(): Promise<void> {
  const run = readCurrent();
  if (!run) {
    say('no run to stop');
    return;
  }
  const started = Date.now();
  const killed = await stopProcesses(livePids(run.services));
  if (killed.length) say(`had to SIGKILL ${killed.join(', ')} after 10 s`);
  if (run.jaegerQueryUrl) ownJaeger('stop');
  if (!process.env.SYSTEM_TESTS_KEEP) {
    await cleanUp(run).catch((error: Error) => say(`clean-up incomplete: ${error.message}`));
  }
  // A last look at the logs, after every suite: PHI markers (system-tests/harness/world.ts).
  const phi = readdirSync(run.runDir)
    .filter((name) => name.endsWith('.log') && name !== 'build.log')
    .reduce(
      (sum, name) =>
        sum + readFileSync(path.join(run.runDir, name), 'utf8').split('PHIMARK').length - 1,
      0,
    );
  appendFileSync(
    path.join(run.runDir, 'summary.txt'),
    `PHI markers in the service logs after every suite: ${phi}\n`,
  );
  renameSync(CURRENT_RUN_FILE, path.join(run.runDir, 'run.json'));
  pruneOldRuns();
  const summary = path.join(run.runDir, 'summary.txt');
  const seconds = (Date.now() - started) / 1000;
  appendFileSync(summary, `teardown: ${seconds.toFixed(1)} s\n`);
  const total = (Date.now() - Date.parse(run.readyAt)) / 1000 + run.timings['setup total'];
  appendFileSync(
    summary,
    `setup to teardown: ${total.toFixed(1)} s (the system project; with other projects, the whole Jest run)\n`,
  );
  process.stderr.write(
    `\n[system-tests] run ${run.runId} (logs: ${path.relative(REPO_ROOT, run.runDir)}/)\n` +
      readFileSync(summary, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n') +
      '\n',
  );
}

const command = process.argv[2];
try {
  if (command === 'up') await up();
  else if (command === 'down') await down();
  else {
    process.stderr.write('usage: cli.ts up | down\n');
    process.exitCode = 2;
  }
} catch (error) {
  say(`${command} failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
