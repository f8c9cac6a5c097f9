/**
 * A fault world: the run's own Kafka (one broker, or a three-node cluster),
 * its own FerretDB, the six services on their own ports, one seeded
 * practice; then load, faults in turn, and the audit with its figures.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ALL_TOPICS, deadLetterTopic } from '@gm/contracts';
import { createKafka, ensureTopics, silentLogger } from '@gm/messaging';
import { MongoClient } from 'mongodb';
import { seedPractice } from '../harness/seed.js';
import { TokenBox } from '../harness/tokens.js';
import { Auditor, BILLING_WORKFLOW, waitQuiet, type Figures } from './audit.js';
import { call, whenConsistent } from '../harness/http.js';
import { KafkaCluster, OwnFerretDb, SingleBroker, type KafkaUnderTest } from './infrastructure.js';
import {
  CLUSTER_PORTS,
  FAULTS_DIR,
  KNOBS,
  newRunId,
  SERVICE_NAMES,
  SINGLE_BROKER_PORTS,
  sleep,
  type WorldPorts,
} from './layout.js';
import { faultPracticeFixture, LoadGenerator, type SentMessage } from './load.js';
import { ServiceSet } from './services.js';

export interface Fault {
  name: string;
  /** Injects the fault and returns once the world is whole again (restarted and ready). */
  inject(): Promise<void>;
}

export interface FaultTiming {
  fault: string;
  /** From the kill to everything ready again. */
  recoveryMs: number;
  /** Messages whose sending started while the fault was on. */
  sentDuring: number;
  /** Of those, how many needed more than one attempt. */
  retriedDuring: number;
  startedAt: number;
  recoveredAt: number;
}

type Seeded = ReturnType<typeof faultPracticeFixture> & { groupIds: Record<string, string> };

export class FaultWorld {
  readonly tokens: TokenBox;
  practice?: Seeded;
  private readonly timings: Record<string, number> = {};

  private constructor(
    readonly kind: 'single-broker' | 'three-brokers',
    readonly runId: string,
    readonly runDir: string,
    readonly kafka: KafkaUnderTest,
    readonly ferret: OwnFerretDb,
    readonly services: ServiceSet,
    readonly secret: string,
  ) {
    this.tokens = new TokenBox(secret);
  }

  static create(kind: 'single-broker' | 'three-brokers'): FaultWorld {
    const runId = newRunId();
    const runDir = path.join(FAULTS_DIR, 'runs', `${kind}-${runId}`);
    mkdirSync(runDir, { recursive: true });
    const ports: WorldPorts = kind === 'single-broker' ? SINGLE_BROKER_PORTS : CLUSTER_PORTS;
    const kafka =
      kind === 'single-broker'
        ? new SingleBroker(
            path.join(FAULTS_DIR, 'kafka'),
            ports.kafka[0]!,
            ports.kafkaControllers[0]!,
          )
        : new KafkaCluster(
            path.join(FAULTS_DIR, 'kafka-cluster'),
            ports.kafka,
            ports.kafkaControllers,
          );
    const ferret = new OwnFerretDb(path.join(FAULTS_DIR, `ferretdb-${kind}`), ports.mongo);
    const secret = `flt-${randomBytes(24).toString('hex')}`;
    const services = new ServiceSet({
      runId,
      runDir,
      ports,
      secret,
      kafkaBrokers: kafka.brokers,
      kafkaReplicationFactor: kafka.replicationFactor,
      kafkaMinInsyncReplicas: kafka.minInsyncReplicas,
      mongoUri: ferret.uri,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    });
    return new FaultWorld(kind, runId, runDir, kafka, ferret, services, secret);
  }

  private async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.timings[name] = Date.now() - started;
      this.say(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  say(line: string): void {
    appendFileSync(path.join(this.runDir, 'summary.txt'), `${line}\n`);
    process.stderr.write(`[faults ${this.kind}] ${line}\n`);
  }

  /** Kafka and FerretDB, the six services, the practice seeded through HTTP. */
  async open(): Promise<void> {
    this.say(`run ${this.runId}: logs in ${path.relative(process.cwd(), this.runDir)}/`);
    await this.phase('kafka and ferretdb', async () => {
      // Both settle before a failure is thrown: close() must not miss a broker still starting.
      const started = await Promise.allSettled([this.kafka.startFresh(), this.ferret.start()]);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
    });
    await this.phase('topics created', () => this.createTopics());
    await this.phase('six services ready', () => this.services.startAll());
    this.practice = await this.phase('practice seeded', async () => {
      const fixture = faultPracticeFixture(`prc_flt_${this.runId}`);
      return (await seedPractice(
        { urls: this.services.urls(), secret: this.secret, timeoutMs: 90_000 },
        fixture,
      )) as Seeded;
    });
    if (this.followsBillingWorkflow) {
      await this.phase('billing workflow set', () => this.setBillingWorkflow());
    }
  }

  /** Where routing-assignment is killed under load: there the timer's owner dies at a deadline. */
  get followsBillingWorkflow(): boolean {
    return this.kind === 'single-broker';
  }

  /** BILLING_WORKFLOW through group-config, once routing-assignment holds it (the write's token). */
  private async setBillingWorkflow(): Promise<void> {
    const { practiceId, settingsAdmin, groupIds } = this.practice!;
    const token = await this.tokens.member(practiceId, settingsAdmin);
    const url = `${this.services.url('group-config')}/message-groups/${groupIds.billing}/workflow`;
    const set = await call('PUT', url, {
      token,
      body: BILLING_WORKFLOW,
      headers: { 'if-match': '"0"' },
    });
    if (set.status !== 200) throw new Error(`PUT ${url}: ${set.status} ${set.text}`);
    const routing = `${this.services.url('routing-assignment')}/threads/thr_none/timeline`;
    const held = await whenConsistent(60_000, () => call('GET', routing, { token }));
    if (held.status !== 404) throw new Error(`GET ${routing}: ${held.status} ${held.text}`);
  }

  /**
   * The topics are created before the services start, as a deployment would
   * provision them, with the settings the services are given
   * (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS): six services
   * creating them at once on a fresh broker on two busy cores outrun
   * ensureTopics' bounded patience (8 attempts, about 7 s) for the metadata
   * to settle, and exit at start-up (a crash loop an orchestrator rides out;
   * ServiceSet restarts such a service and counts it).
   */
  private async createTopics(): Promise<void> {
    const kafka = createKafka(
      { brokers: this.kafka.brokers, clientId: 'faults-setup' },
      silentLogger,
    );
    const topics = [
      ...ALL_TOPICS,
      ...this.services
        .consumerGroups()
        .map((group) => ({ name: deadLetterTopic(group), compacted: false, partitions: 1 })),
    ];
    await ensureTopics(kafka, topics, {
      replicationFactor: this.kafka.replicationFactor,
      minInsyncReplicas: this.kafka.minInsyncReplicas,
    });
  }

  load(): LoadGenerator {
    return new LoadGenerator(
      this.services.url('messaging-intake'),
      this.tokens,
      this.practice!,
      `${this.kind} ${this.runId}`,
      KNOBS.rate,
      KNOBS.maxMessages,
    );
  }

  /** SIGKILL a service, start it again with the same port, database and consumer group. */
  serviceFault(service: (typeof SERVICE_NAMES)[number]): Fault {
    return {
      name: `kill -9 ${service}`,
      inject: async () => {
        await this.services.crash(service);
        await this.services.restart(service);
      },
    };
  }

  /** Everything answers /health/ready again (MongoDB, Kafka, Redis from each service's view). */
  async allReady(): Promise<void> {
    await this.services.waitAllReady();
  }

  /**
   * Load on, the faults in turn (each followed by a few seconds of load),
   * load off; then waits for every message to arrive and the system to go
   * quiet, and audits.
   */
  async runUnderLoad(faults: Fault[]): Promise<{
    figures: Figures;
    faults: FaultTiming[];
    messages: SentMessage[];
    quiet: boolean;
  }> {
    const load = this.load();
    const timings: FaultTiming[] = [];
    load.start();
    await this.phase('load and faults', async () => {
      await sleep(KNOBS.settleMs);
      for (let round = 1; round <= KNOBS.rounds; round++) {
        for (const fault of faults) {
          if (load.exhausted) {
            throw new Error(
              `the load reached FAULTS_MESSAGES=${KNOBS.maxMessages} before "${fault.name}" (round ${round}): raise it or lower FAULTS_RATE`,
            );
          }
          const startedAt = Date.now();
          await fault.inject();
          const recoveredAt = Date.now();
          timings.push({
            fault: KNOBS.rounds > 1 ? `${fault.name} (round ${round})` : fault.name,
            recoveryMs: recoveredAt - startedAt,
            startedAt,
            recoveredAt,
            sentDuring: 0,
            retriedDuring: 0,
          });
          this.say(`${fault.name}: back in ${((recoveredAt - startedAt) / 1000).toFixed(1)} s`);
          await sleep(KNOBS.settleMs);
        }
      }
    });
    await this.phase('load drained', () => load.stop());
    for (const timing of timings) {
      const during = load.messages.filter(
        (m) => m.startedAt >= timing.startedAt && m.startedAt <= timing.recoveredAt,
      );
      timing.sentDuring = during.length;
      timing.retriedDuring = during.filter((m) => m.attempts > 1).length;
    }

    const auditor = new Auditor(
      this.services.urls(),
      this.tokens,
      this.practice!,
      this.followsBillingWorkflow,
    );
    const converged = await this.phase('every accepted message in its places', async () => {
      const deadline = Date.now() + KNOBS.convergeMs;
      let figures = await auditor.figures(load.messages, false);
      while (figures.lost > 0 && Date.now() < deadline) {
        await sleep(2000);
        figures = await auditor.figures(load.messages, false);
      }
      return figures;
    });
    const quiet = await this.phase('quiet (no consumer lag, no pending outbox)', () =>
      waitQuiet({
        brokers: this.kafka.brokers,
        groups: this.services.consumerGroups(),
        mongoUri: this.ferret.uri,
        databases: this.services.databases(),
        timeoutMs: 60_000,
      }),
    );
    if (!quiet.quiet) this.say(`not quiet after 60 s: ${quiet.lastState}`);
    const figures = await this.phase('audit', () => auditor.figures(load.messages, true));
    if (converged.lost > 0) this.say(`still missing at the bound: ${converged.lost}`);
    this.report(figures, timings);
    return { figures, faults: timings, messages: load.messages, quiet: quiet.quiet };
  }

  report(figures: Figures, faults: FaultTiming[]): void {
    const f = figures;
    const lines = [
      `FIGURES ${this.kind}: attempted ${f.attempted}, accepted ${f.accepted} ` +
        `(first try ${f.acceptedFirstTry}, after retry ${f.acceptedAfterRetry}, replayed ${f.replayed}), ` +
        `failed ${f.failed} (delivered anyway ${f.failedButDelivered}), delivered ${f.delivered}, ` +
        `duplicates ${f.duplicates}, lost ${f.lost}, unexpected ${f.unexpected}`,
      `  services restarted after exiting during start-up: ${this.services.startupCrashes}`,
      ...faults.map(
        (t) =>
          `  ${t.fault.padEnd(34)} back in ${(t.recoveryMs / 1000).toFixed(1).padStart(5)} s; ` +
          `${t.sentDuring} messages sent meanwhile, ${t.retriedDuring} needed retries`,
      ),
      `  timings: ${Object.entries(this.timings)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ')}`,
      ...(this.followsBillingWorkflow ? [`  deadlines: ${deadlineLine(f, faults)}`] : []),
      ...f.details.slice(0, 30).map((d) => `  ${d}`),
    ];
    for (const line of lines) this.say(line);
  }

  async close(): Promise<void> {
    await this.services.stopAll().catch((e: Error) => this.say(`stopping services: ${e.message}`));
    if (!KNOBS.keep) {
      const mongo = new MongoClient(this.ferret.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        await mongo.connect();
        for (const db of this.services.databases()) await mongo.db(db).dropDatabase();
      } catch (error) {
        this.say(`dropping databases: ${(error as Error).message}`);
      } finally {
        await mongo.close().catch(() => undefined);
      }
    }
    await this.kafka.stop().catch((e: Error) => this.say(`stopping kafka: ${e.message}`));
    await this.ferret.stop().catch((e: Error) => this.say(`stopping ferretdb: ${e.message}`));
  }
}

export { KafkaCluster, SingleBroker };

/** Billing targets that fell due while routing-assignment (the timer's owner) was killed and down. */
export function dueWhileRoutingDown(figures: Figures, faults: FaultTiming[]): Figures['overdue'] {
  const down = faults.filter((t) => t.fault.startsWith('kill -9 routing-assignment'));
  return figures.overdue.filter(({ respondBy }) =>
    down.some(
      (t) => Date.parse(respondBy) >= t.startedAt && Date.parse(respondBy) <= t.recoveredAt,
    ),
  );
}

function deadlineLine(figures: Figures, faults: FaultTiming[]): string {
  const lateness = (o: Figures['overdue'][number]) =>
    (Date.parse(o.firedAt) - Date.parse(o.respondBy)) / 1000;
  const whileDown = dueWhileRoutingDown(figures, faults);
  const late = figures.overdue.map(lateness).sort((a, b) => a - b);
  const median = late[Math.floor(late.length / 2)] ?? 0;
  const worstDown = Math.max(0, ...whileDown.map(lateness));
  return (
    `${figures.overdue.length} Billing targets fired once each (median ${median.toFixed(1)} s late); ` +
    `${whileDown.length} fell due while routing-assignment was down, fired up to ${worstDown.toFixed(1)} s late`
  );
}
