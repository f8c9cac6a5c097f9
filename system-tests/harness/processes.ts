/**
 * The seven services as separate OS processes (`node services/<svc>/dist/main.js`),
 * each with its own database and consumer group, logging at info to its own
 * file. Started detached, so they outlive the short-lived harness process
 * that starts them; stopped by pid (SIGTERM, then SIGKILL after a bound).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  consumerGroupOf,
  databaseOf,
  portOf,
  REPO_ROOT,
  type ServiceName,
  type ServiceProcess,
} from './layout.js';

export interface Infrastructure {
  kafkaBrokers: string[];
  mongoUri: string;
  redisUrl: string;
  /** OTLP/HTTP receiver for the services' traces, when the run has one. */
  otlpEndpoint?: string;
}

/** Only what a service needs: nothing of the developer's environment leaks in (issuer, audience, NODE_OPTIONS). */
function serviceEnv(
  service: ServiceName,
  runId: string,
  secret: string,
  infrastructure: Infrastructure,
): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
    PORT: String(portOf(service)),
    MONGODB_URI: infrastructure.mongoUri,
    MONGODB_DATABASE: databaseOf(service, runId),
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    KAFKA_CONSUMER_GROUP: consumerGroupOf(service, runId),
    REDIS_URL: infrastructure.redisUrl,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: 'info',
    // Reads that name a write never reached (hostile input, Schemathesis) give up sooner than 10 s.
    CONSISTENCY_WAIT_MS: '3000',
    // The standard OpenTelemetry variables; spans leave within a fraction of a second.
    ...(infrastructure.otlpEndpoint
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: infrastructure.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200' }
      : {}),
  };
}

const entryOf = (service: ServiceName) => path.join('services', service, 'dist', 'main.js');

export function startService(
  service: ServiceName,
  runId: string,
  runDir: string,
  secret: string,
  infrastructure: Infrastructure,
): ServiceProcess {
  const log = path.join(runDir, `${service}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(process.execPath, [entryOf(service)], {
      cwd: REPO_ROOT,
      env: serviceEnv(service, runId, secret, infrastructure),
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.unref();
    if (!child.pid) throw new Error(`${service}: could not be started`);
    return {
      url: `http://127.0.0.1:${portOf(service)}`,
      port: portOf(service),
      pid: child.pid,
      database: databaseOf(service, runId),
      consumerGroup: consumerGroupOf(service, runId),
      log,
      ready: false,
    };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` still runs one of our service entry points (a pid file may be stale). */
export function runsService(pid: number, service: ServiceName): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entryOf(service));
  } catch {
    return isAlive(pid);
  }
}

export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls /health/ready (bounded); gives up at once when the process has exited. */
export async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(service.pid)) return false;
    try {
      const response = await fetch(`${service.url}/health/ready`, {
        signal: AbortSignal.timeout(3000),
      });
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** SIGTERM, then SIGKILL whatever still runs after `graceMs`. Returns the pids that had to be killed. */
export async function stopProcesses(pids: number[], graceMs = 10_000): Promise<number[]> {
  const running = pids.filter(isAlive);
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && running.some(isAlive)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const killed = running.filter(isAlive);
  for (const pid of killed) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}
