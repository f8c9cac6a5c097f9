/**
 * The benchmark's world: everything its own, on ports nobody else uses, so a
 * run never touches the shared stack (9092/27017/54329/6379, services on
 * 3001–3007) nor a fault or system-test run going on at the same time.
 *
 * Built from the fault suite's pieces (SingleBroker, OwnFerretDb,
 * ServiceSet, the seeded fault practice); unlike the fault worlds it also
 * has its own PostgreSQL under its FerretDB and its own Redis, both started
 * by `deploy/local/stack.sh` with a state directory of their own: the
 * figures then owe nothing to whatever else the shared servers are doing,
 * and their processes can be measured (CPU, memory) as the world's.
 *
 * Which FerretDB build runs is stack.sh's choice (its cache, and the
 * environment it is given, e.g. GM_FERRETDB_BUILD): OwnFerretDb hands it
 * this process's environment, so the benchmark simply passes it through.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { ALL_TOPICS, deadLetterTopic } from '@gm/contracts';
import { createKafka, ensureTopics, silentLogger } from '@gm/messaging';
import { seedPractice } from '../system-tests/harness/seed.js';
import { TokenBox } from '../system-tests/harness/tokens.js';
import { OwnFerretDb, SingleBroker } from '../system-tests/faults/infrastructure.js';
import {
  childEnv,
  newRunId,
  REPO_ROOT,
  SERVICE_NAMES,
  type ServiceName,
  type WorldPorts,
} from '../system-tests/faults/layout.js';
import { faultPracticeFixture } from '../system-tests/faults/load.js';
import { consumerGroupOf, databaseOf, ServiceSet } from '../system-tests/faults/services.js';
import type { loadHistory } from './history-load.js';
import { readStat } from './cpu.js';

export const BENCH_DIR = path.join(REPO_ROOT, '.local', 'bench');

/**
 * Builds the services (`nx run-many -t build`), as every benchmark command does before it
 * starts a world; the output goes to .local/bench/build.log.
 */
export function buildServices(say: (line: string) => void): void {
  say('building the services');
  const started = Date.now();
  mkdirSync(BENCH_DIR, { recursive: true });
  const log = path.join(BENCH_DIR, 'build.log');
  const fd = openSync(log, 'w');
  try {
    const env = childEnv({
      PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    });
    const ok =
      spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], {
        cwd: REPO_ROOT,
        stdio: ['ignore', fd, fd],
        env,
      }).status === 0;
    if (!ok) throw new Error(`build failed: see ${path.relative(REPO_ROOT, log)}`);
  } finally {
    closeSync(fd);
  }
  say(`services built: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Ports of the bench world: 43xx services, 93xx Kafka, and one-off ports for the storage. */
const PORTS: WorldPorts & { postgres: number; redis: number } = {
  serviceBase: Number(process.env.BENCH_PORT_BASE) || 4300,
  mongo: 27218,
  kafka: [9392],
  kafkaControllers: [9393],
  postgres: 54429,
  redis: 6479,
};

type Seeded = ReturnType<typeof faultPracticeFixture> & { groupIds: Record<string, string> };

/** `stack.sh start|stop <server>` in the bench's storage directory (blocking: nothing runs yet). */
function stack(command: 'start' | 'stop', server: 'postgres' | 'redis', dir: string): void {
  mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'stack.log');
  const fd = openSync(log, 'a');
  try {
    const result = spawnSync('bash', ['deploy/local/stack.sh', command, server], {
      cwd: REPO_ROOT,
      stdio: ['ignore', fd, fd],
      env: childEnv({
        GM_STACK_DIR: dir,
        GM_POSTGRES_PORT: String(PORTS.postgres),
        GM_REDIS_PORT: String(PORTS.redis),
      }),
      timeout: 120_000,
    });
    if (result.status !== 0) {
      throw new Error(`stack.sh ${command} ${server} failed; see ${path.relative(REPO_ROOT, log)}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The pid stack.sh recorded for a server it started in `dir` ("pid port"). */
const stackPid = (dir: string, server: string): number | undefined => {
  const file = path.join(dir, 'run', `${server}.pid`);
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]) : undefined;
};

export class BenchWorld {
  readonly runId = newRunId();
  readonly runDir = path.join(BENCH_DIR, 'runs', this.runId);
  readonly secret = `bench-${randomBytes(24).toString('hex')}`;
  readonly tokens = new TokenBox(this.secret);
  readonly kafka = new SingleBroker(
    path.join(BENCH_DIR, 'kafka'),
    PORTS.kafka[0]!,
    PORTS.kafkaControllers[0]!,
  );
  readonly ferret = new OwnFerretDb(path.join(BENCH_DIR, 'ferretdb'), PORTS.mongo);
  private readonly storageDir = path.join(BENCH_DIR, 'storage');
  readonly services: ServiceSet;
  practice?: Seeded;

  constructor(private readonly say: (line: string) => void) {
    mkdirSync(this.runDir, { recursive: true });
    this.services = new ServiceSet({
      runId: this.runId,
      runDir: this.runDir,
      ports: PORTS,
      secret: this.secret,
      kafkaBrokers: this.kafka.brokers,
      kafkaReplicationFactor: 1,
      kafkaMinInsyncReplicas: undefined,
      mongoUri: this.ferret.uri,
      redisUrl: `redis://127.0.0.1:${PORTS.redis}`,
    });
  }

  url(service: ServiceName): string {
    return this.services.url(service);
  }

  private async phase<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const started = Date.now();
    const result = await work();
    this.say(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  async open(): Promise<void> {
    this.say(`run ${this.runId}: logs in ${path.relative(REPO_ROOT, this.runDir)}/`);
    await this.phase('postgres and redis (own)', () => {
      // Fresh storage every run: the history a run measures is the one it wrote.
      stack('stop', 'postgres', this.storageDir);
      stack('stop', 'redis', this.storageDir);
      rmSync(path.join(this.storageDir, 'data'), { recursive: true, force: true });
      stack('start', 'postgres', this.storageDir);
      stack('start', 'redis', this.storageDir);
    });
    // OwnFerretDb starts FerretDB through stack.sh with this process's environment: this is
    // how its FerretDB finds the bench's PostgreSQL (stack.sh reads GM_POSTGRES_PORT).
    process.env.GM_POSTGRES_PORT = String(PORTS.postgres);
    await this.phase('kafka and ferretdb', async () => {
      const started = await Promise.allSettled([this.kafka.startFresh(), this.ferret.start()]);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
    });
    await this.phase('topics created', async () => {
      // As the fault worlds do: provisioned before six services race to create them.
      const kafka = createKafka(
        { brokers: this.kafka.brokers, clientId: 'bench-setup' },
        silentLogger,
      );
      const deadLetters = this.services
        .consumerGroups()
        .map((group) => ({ name: deadLetterTopic(group), compacted: false, partitions: 1 }));
      await ensureTopics(kafka, [...ALL_TOPICS, ...deadLetters], { replicationFactor: 1 });
    });
    await this.phase('six services ready', () => this.services.startAll());
    this.practice = await this.phase(
      'practice seeded',
      async () =>
        (await seedPractice(
          { urls: this.services.urls(), secret: this.secret, timeoutMs: 90_000 },
          faultPracticeFixture(`prc_bench_${this.runId}`),
        )) as Seeded,
    );
  }

  /** Live pids per measured process name; postgres is the postmaster and its live backends. */
  pids(): Record<string, number[]> {
    const all = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
    const read = (pid: number, file: string) => {
      try {
        return readFileSync(`/proc/${pid}/${file}`, 'utf8');
      } catch {
        return '';
      }
    };
    const result: Record<string, number[]> = {};
    // A service is found by its consumer group in its environment: the same dist/main.js may
    // run in other worlds (system tests, fault runs) at the same time.
    for (const service of SERVICE_NAMES) {
      const marker = `KAFKA_CONSUMER_GROUP=${consumerGroupOf(service, this.runId)}\0`;
      result[service] = all.filter(
        (pid) =>
          read(pid, 'cmdline').includes('dist/main.js') && read(pid, 'environ').includes(marker),
      );
    }
    const one = (pid: number | undefined) => (pid ? [pid] : []);
    result.kafka = one(stackPid(path.join(BENCH_DIR, 'kafka'), 'kafka'));
    result.ferretdb = one(stackPid(path.join(BENCH_DIR, 'ferretdb'), 'mongodb'));
    result.redis = one(stackPid(this.storageDir, 'redis'));
    const postmaster = stackPid(this.storageDir, 'postgres');
    result.postgres = postmaster
      ? [postmaster, ...all.filter((pid) => readStat(pid)?.ppid === postmaster)]
      : [];
    result['load generator'] = [process.pid];
    return result;
  }

  /** The FerretDB binary that actually runs (stack.sh picks it; GM_FERRETDB_BUILD may steer it). */
  /** Where `--history-load` writes: this world's databases, and its Admin's Lab Services group. */
  historyTarget(threads: number): Parameters<typeof loadHistory>[0] {
    const practice = this.practice!;
    const northClinic = Object.values(practice.patients).filter((p) =>
      ['pat_b', 'pat_d'].includes(p.id),
    );
    return {
      mongoUri: this.ferret.uri,
      databaseOf: (service) => databaseOf(service, this.runId),
      benchPractice: {
        practiceId: practice.practiceId,
        groupId: practice.groupIds.lab!,
        groupName: practice.groups.lab!.name,
        adminMemberId: 'mbr_gadmin',
        patientIds: northClinic.map((p) => p.id),
        patientNames: Object.fromEntries(northClinic.map((p) => [p.id, p.displayName])),
      },
      threads,
    };
  }

  ferretBinary(): string {
    const pid = stackPid(path.join(BENCH_DIR, 'ferretdb'), 'mongodb');
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }

  consumerGroup(service: ServiceName): string {
    return consumerGroupOf(service, this.runId);
  }

  /** Everything stopped; storage wiped unless BENCH_KEEP is set. */
  async close(): Promise<void> {
    const quietly = async (what: string, work: () => Promise<void> | void) => {
      try {
        await work();
      } catch (error) {
        this.say(`stopping ${what}: ${(error as Error).message}`);
      }
    };
    await quietly('services', () => this.services.stopAll());
    await quietly('kafka', () => this.kafka.stop());
    await quietly('ferretdb', () => this.ferret.stop());
    await quietly('postgres', () => stack('stop', 'postgres', this.storageDir));
    await quietly('redis', () => stack('stop', 'redis', this.storageDir));
    if (!process.env.BENCH_KEEP) {
      rmSync(path.join(this.storageDir, 'data'), { recursive: true, force: true });
    }
  }
}
