/**
 * Where a fault run lives and how big it is. Everything of a fault run is its
 * own: Kafka broker(s), FerretDB process, service ports, databases and
 * consumer groups, so killing and restarting them never touches the shared
 * stack that other suites use at the same time. Only PostgreSQL (under the
 * run's own FerretDB) and Redis (keys are scoped by practice and database)
 * are shared.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FAULTS_DIR = path.join(REPO_ROOT, '.local', 'faults');

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/** The knobs of a run; the defaults are the bounded CI run (README.md). */
export const KNOBS = {
  /** Messages per second the load generator starts (one message per start). */
  rate: int('FAULTS_RATE', 2),
  /** How many times the whole sequence of faults runs. */
  rounds: int('FAULTS_ROUNDS', 1),
  /** Hard cap of messages per world: the load loop is bounded by it. */
  maxMessages: int('FAULTS_MESSAGES', 1500),
  /** Bound of the wait for every accepted message to show where it must. */
  convergeMs: int('FAULTS_CONVERGE_MS', 120_000),
  /** Seconds of load between two faults (and before the first and after the last). */
  settleMs: int('FAULTS_SETTLE_MS', 2000),
  logLevel: process.env.FAULTS_LOG_LEVEL ?? 'warn',
  keep: Boolean(process.env.FAULTS_KEEP),
};

export const newRunId = () =>
  `${Date.now().toString(36)}${randomBytes(2).toString('hex').slice(0, 3)}`.toLowerCase();

export const SERVICE_NAMES = [
  'practice-directory',
  'group-config',
  'phr-preferences',
  'messaging-intake',
  'routing-assignment',
  'inbox-projection',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Ports of one world; two worlds never share one, so the two spec files could even overlap. */
export interface WorldPorts {
  /** First service port minus one (4200 → 4201–4206). */
  serviceBase: number;
  mongo: number;
  /** Client ports of the broker(s); controller ports are given by the Kafka module. */
  kafka: number[];
  kafkaControllers: number[];
}

export const SINGLE_BROKER_PORTS: WorldPorts = {
  serviceBase: 4200,
  mongo: 27118,
  kafka: [9292],
  kafkaControllers: [9293],
};

export const CLUSTER_PORTS: WorldPorts = {
  serviceBase: 4210,
  mongo: 27119,
  kafka: [9301, 9302, 9303],
  kafkaControllers: [9311, 9312, 9313],
};

export const portOf = (ports: WorldPorts, service: ServiceName) =>
  ports.serviceBase + 1 + SERVICE_NAMES.indexOf(service);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Environment without the test runner's NODE_OPTIONS (vm modules), for child processes. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}
