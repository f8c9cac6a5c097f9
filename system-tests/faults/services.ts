/**
 * The six built services (`services/<svc>/dist/main.js`) as OS processes of
 * a fault world: own ports, databases `flt_<svc>_<runid>`, consumer groups
 * `flt-<svc>-<runid>`. A killed service is started again with exactly the
 * same environment, so it comes back to the same database, consumer group
 * and outbox lease, as a crashed pod restarted by its orchestrator would.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { tail, waitReady } from '../harness/processes.js';
import { isAlive, kill9 } from './infrastructure.js';
import {
  KNOBS,
  portOf,
  REPO_ROOT,
  SERVICE_NAMES,
  type ServiceName,
  type WorldPorts,
} from './layout.js';

const READY_TIMEOUT_MS = 90_000;

export interface ServiceSettings {
  runId: string;
  runDir: string;
  ports: WorldPorts;
  secret: string;
  kafkaBrokers: string[];
  kafkaReplicationFactor: number;
  kafkaMinInsyncReplicas: number | undefined;
  mongoUri: string;
  redisUrl: string;
}

interface Running {
  url: string;
  port: number;
  pid: number;
  database: string;
  consumerGroup: string;
  log: string;
  ready: boolean;
}

export const databaseOf = (service: ServiceName, runId: string) =>
  `flt_${service.replace(/-/g, '_')}_${runId}`;
export const consumerGroupOf = (service: ServiceName, runId: string) => `flt-${service}-${runId}`;

export class ServiceSet {
  private readonly running = new Map<ServiceName, Running>();

  constructor(private readonly settings: ServiceSettings) {}

  url(service: ServiceName): string {
    return `http://127.0.0.1:${portOf(this.settings.ports, service)}`;
  }

  urls(): Record<ServiceName, string> {
    return Object.fromEntries(SERVICE_NAMES.map((s) => [s, this.url(s)])) as Record<
      ServiceName,
      string
    >;
  }

  databases(): string[] {
    return SERVICE_NAMES.map((s) => databaseOf(s, this.settings.runId));
  }

  consumerGroups(): string[] {
    return SERVICE_NAMES.map((s) => consumerGroupOf(s, this.settings.runId));
  }

  private env(service: ServiceName): NodeJS.ProcessEnv {
    const s = this.settings;
    const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
    return {
      ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
      // The standard OpenTelemetry variables pass through (the benchmark's traced run).
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OTEL_'))),
      PORT: String(portOf(s.ports, service)),
      MONGODB_URI: s.mongoUri,
      MONGODB_DATABASE: databaseOf(service, s.runId),
      KAFKA_BROKERS: s.kafkaBrokers.join(','),
      KAFKA_CONSUMER_GROUP: consumerGroupOf(service, s.runId),
      KAFKA_REPLICATION_FACTOR: String(s.kafkaReplicationFactor),
      ...(s.kafkaMinInsyncReplicas
        ? { KAFKA_MIN_INSYNC_REPLICAS: String(s.kafkaMinInsyncReplicas) }
        : {}),
      REDIS_URL: s.redisUrl,
      AUTH_JWT_SECRET: s.secret,
      LOG_LEVEL: KNOBS.logLevel,
      // The load sends far more than a patient's 20 an hour: the limit is not the subject here.
      PATIENT_SEND_LIMIT: '100000',
      // A killed service's partitions (and its replacement's group join) wait for its session to
      // expire: 8 s instead of 30 keeps a restart within the bounded run's time.
      KAFKA_SESSION_TIMEOUT_MS: '8000',
    };
  }

  private spawn(service: ServiceName): Running {
    const log = path.join(this.settings.runDir, `${service}.log`);
    const fd = openSync(log, 'a');
    try {
      const child = spawn(process.execPath, [path.join('services', service, 'dist', 'main.js')], {
        cwd: REPO_ROOT,
        env: this.env(service),
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      child.unref();
      if (!child.pid) throw new Error(`${service}: could not be started`);
      const running: Running = {
        url: this.url(service),
        port: portOf(this.settings.ports, service),
        pid: child.pid,
        database: databaseOf(service, this.settings.runId),
        consumerGroup: consumerGroupOf(service, this.settings.runId),
        log,
        ready: false,
      };
      this.running.set(service, running);
      return running;
    } finally {
      closeSync(fd);
    }
  }

  /** Services that exited during start-up and were started again (reported with the figures). */
  startupCrashes = 0;

  /**
   * Waits for /health/ready. A service that exits while starting (e.g. its
   * Kafka admin calls ran out of retries on a busy broker) is started again,
   * at most twice, as an orchestrator would; one that is alive but never
   * ready within the bound fails the run.
   */
  private async ready(service: ServiceName): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const running = this.running.get(service)!;
      if (await waitReady(running, READY_TIMEOUT_MS)) {
        running.ready = true;
        return;
      }
      if (isAlive(running.pid) || attempt > 2) {
        throw new Error(
          `${service} not ready within ${READY_TIMEOUT_MS / 1000} s:\n${tail(running.log)}`,
        );
      }
      this.startupCrashes++;
      this.spawn(service);
    }
  }

  async startAll(): Promise<void> {
    for (const service of SERVICE_NAMES) this.spawn(service);
    await Promise.all(SERVICE_NAMES.map((s) => this.ready(s)));
  }

  /** SIGKILL: no shutdown hook, no offset commit, no lease release. */
  async crash(service: ServiceName): Promise<void> {
    const running = this.running.get(service);
    if (running) await kill9(running.pid, service);
  }

  async restart(service: ServiceName): Promise<void> {
    this.spawn(service);
    await this.ready(service);
  }

  /** Every service answers /health/ready again (after a broker or database fault). */
  async waitAllReady(): Promise<void> {
    await Promise.all(SERVICE_NAMES.map((s) => this.ready(s)));
  }

  /** Every service still runs (none exited on its own during a fault). */
  exited(): ServiceName[] {
    return SERVICE_NAMES.filter((s) => {
      const running = this.running.get(s);
      return !running || !isAlive(running.pid);
    });
  }

  logOf(service: ServiceName): string {
    return this.running.get(service)?.log ?? '';
  }

  async stopAll(): Promise<void> {
    const pids = [...this.running.values()].map((r) => r.pid).filter(isAlive);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    const deadline = Date.now() + 10_000;
    while (pids.some(isAlive) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(pids.filter(isAlive).map((pid) => kill9(pid, `service pid ${pid}`)));
  }
}
