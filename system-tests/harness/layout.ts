/**
 * Where a system-test run lives: the seven services (ports 4101–4107 by
 * default, never the demo's 3001–3006), their databases and consumer groups
 * (named after the run), their log files, and `current.json`, which the
 * harness writes once everything is up and seeded and the suites read.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeededPractice } from './fixtures.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RUNS_DIR = path.join(REPO_ROOT, '.local', 'system-tests');
/** SYSTEM_TESTS_RUN_FILE names another one, for a second run beside the first. */
export const CURRENT_RUN_FILE =
  process.env.SYSTEM_TESTS_RUN_FILE ?? path.join(RUNS_DIR, 'current.json');

export const SERVICE_NAMES = [
  'practice-directory',
  'group-config',
  'phr-preferences',
  'messaging-intake',
  'routing-assignment',
  'inbox-projection',
  'access-audit',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** First port minus one: 4100 gives 4101–4107. */
export const PORT_BASE = Number(process.env.SYSTEM_TESTS_PORT_BASE) || 4100;

export const portOf = (service: ServiceName): number =>
  PORT_BASE + 1 + SERVICE_NAMES.indexOf(service);

/** The run's Jaeger (deploy/local/jaeger.sh), the OTLP receiver of the services' traces. */
export const JAEGER_PORTS = {
  otlp: PORT_BASE + 51,
  query: PORT_BASE + 52,
  queryGrpc: PORT_BASE + 53,
  health: PORT_BASE + 54,
} as const;

/** `st_<svc>_<runid>` with `_` for `-`: FerretDB keeps databases as PostgreSQL schemas. */
export const databaseOf = (service: ServiceName, runId: string): string =>
  `st_${service.replace(/-/g, '_')}_${runId}`;

export const consumerGroupOf = (service: ServiceName, runId: string): string =>
  `st-${service}-${runId}`;

export interface ServiceProcess {
  url: string;
  port: number;
  pid: number;
  database: string;
  consumerGroup: string;
  log: string;
  ready: boolean;
}

/** What `current.json` holds: everything a suite needs to reach and address the run. */
export interface RunInfo {
  runId: string;
  /** HS256 secret the services verify; tests mint their tokens with it. */
  secret: string;
  runDir: string;
  kafkaBrokers: string[];
  /** The run has a Kafka broker of its own (stopped and wiped by the teardown). */
  ownKafka: boolean;
  mongoUri: string;
  redisUrl: string;
  /** Where the services send their spans (OTLP/HTTP) and where the suites query them. */
  otlpEndpoint?: string;
  jaegerQueryUrl?: string;
  services: Record<ServiceName, ServiceProcess>;
  practices: { main: SeededPractice; other: SeededPractice };
  /** The Consistency-Tokens of the seed's writes, per practice: the suites carry them on. */
  consistencyTokens: Record<string, string[]>;
  /** Seconds per setup phase. */
  timings: Record<string, number>;
  /** When setup finished (suites start). */
  readyAt: string;
}

/** The run the global setup prepared; throws when there is none. */
export function readRun(): RunInfo {
  if (!existsSync(CURRENT_RUN_FILE)) {
    throw new Error(
      `${CURRENT_RUN_FILE} is missing: run the system tests through Jest ` +
        '(npm run test:system), whose global setup starts and seeds the services.',
    );
  }
  return JSON.parse(readFileSync(CURRENT_RUN_FILE, 'utf8')) as RunInfo;
}

export const serviceUrls = (run: Pick<RunInfo, 'services'>): Record<ServiceName, string> =>
  Object.fromEntries(SERVICE_NAMES.map((name) => [name, run.services[name].url])) as Record<
    ServiceName,
    string
  >;
