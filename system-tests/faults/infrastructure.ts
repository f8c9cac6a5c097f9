/**
 * The fault run's own servers: a single Kafka broker and a FerretDB process
 * started by `deploy/local/stack.sh` with a state directory of their own
 * (GM_STACK_DIR) and their own ports, and a three-node KRaft cluster started
 * here from the Kafka jars stack.sh caches. Each can be killed with SIGKILL
 * (no shutdown hook runs: what a crash leaves is what the services face) and
 * started again on the same data.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { childEnv, REPO_ROOT, sleep } from './layout.js';

const NODE_START_MS = 240_000;

const tail = (file: string, lines = 30) =>
  existsSync(file)
    ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    : '(no log)';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL and wait (bounded) until the process is gone: its ports are free again. */
export async function kill9(pid: number, what: string): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`${what} (pid ${pid}) survived SIGKILL for 10 s`);
    await sleep(50);
  }
}

export function portAnswers(port: number): Promise<boolean> {
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

/**
 * `stack.sh <command> <server>` with the run's own state directory and ports.
 * Asynchronous on purpose: the load generator lives in this process and must
 * go on sending while a broker or FerretDB is started again.
 */
function stackSh(
  command: 'start' | 'stop',
  server: 'kafka' | 'mongodb',
  dir: string,
  env: Record<string, string>,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'stack.log');
  const fd = openSync(log, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['deploy/local/stack.sh', command, server], {
      cwd: REPO_ROOT,
      stdio: ['ignore', fd, fd],
      env: childEnv({ GM_STACK_DIR: dir, ...env }),
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`stack.sh ${command} ${server} (${dir}) failed:\n${tail(log)}`));
    });
  });
}

/** `ss` lines of the sockets on these local ports (who holds a port a start could not bind). */
function socketsOn(ports: number[]): string {
  const out = spawnSync('ss', ['-tanp'], { encoding: 'utf8' }).stdout ?? '';
  const mine = out
    .split('\n')
    .filter((line) => ports.some((port) => line.split(/\s+/)[3]?.endsWith(`:${port}`)));
  return mine.length ? mine.join('\n') : '(no socket on those ports)';
}

/**
 * stack.sh waits 30 s for FerretDB (90 s for Kafka) and gives up while the
 * server goes on starting; on a machine busy with other suites that bound
 * can pass. A second `start` finds the server it started and waits again.
 * A start that could not bind its ports (once seen for a Kafka controller
 * port just after a kill -9) waits for them to be free first, and a second
 * failure says which sockets held them.
 */
async function stackStart(
  server: 'kafka' | 'mongodb',
  dir: string,
  env: Record<string, string>,
  ports: number[],
): Promise<void> {
  try {
    await stackSh('start', server, dir, env);
  } catch (first) {
    const held = socketsOn(ports);
    for (
      let waited = 0;
      waited < 15_000 && (await Promise.all(ports.map(portAnswers))).some(Boolean);
      waited += 250
    ) {
      await sleep(250);
    }
    try {
      await stackSh('start', server, dir, env);
    } catch (second) {
      throw new Error(
        `${(second as Error).message}\nfirst attempt: ${(first as Error).message.split('\n')[0]}\nsockets on ${ports.join(', ')} after it:\n${held}`,
        { cause: second },
      );
    }
  }
}

/** The pid stack.sh recorded for a server it started (`<dir>/run/<server>.pid`: "pid port"). */
function stackPid(dir: string, server: string): number {
  const file = path.join(dir, 'run', `${server}.pid`);
  if (!existsSync(file)) throw new Error(`${file} is missing: ${server} was not started here`);
  return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
}

/** What the load and the checks need of a Kafka under test, single broker or cluster. */
export interface KafkaUnderTest {
  readonly brokers: string[];
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number | undefined;
  /** Starts on empty storage (what an interrupted run left is wiped first). */
  startFresh(): Promise<void>;
  stop(): Promise<void>;
}

/** One broker, exactly as the native stack runs it, in `<dir>` on its own ports. */
export class SingleBroker implements KafkaUnderTest {
  readonly replicationFactor = 1;
  readonly minInsyncReplicas = undefined;

  constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly controllerPort: number,
  ) {}

  get brokers() {
    return [`127.0.0.1:${this.port}`];
  }

  private env() {
    return {
      GM_KAFKA_PORT: String(this.port),
      GM_KAFKA_CONTROLLER_PORT: String(this.controllerPort),
    };
  }

  async start(): Promise<void> {
    await stackStart('kafka', this.dir, this.env(), [this.port, this.controllerPort]);
  }

  async startFresh(): Promise<void> {
    // stack.sh stops only a broker it started from this directory (its pid file).
    await stackSh('stop', 'kafka', this.dir, this.env());
    rmSync(path.join(this.dir, 'data'), { recursive: true, force: true });
    await this.start();
  }

  /** kill -9; `start` brings it back on the same log directory. */
  async crash(): Promise<void> {
    await kill9(stackPid(this.dir, 'kafka'), 'kafka');
  }

  /** kill -9, then start again on the same log directory (stack.sh does not format twice). */
  async crashAndRestart(): Promise<{ downMs: number }> {
    const started = Date.now();
    await this.crash();
    await this.start();
    return { downMs: Date.now() - started };
  }

  async stop(): Promise<void> {
    await stackSh('stop', 'kafka', this.dir, this.env());
    if (!process.env.FAULTS_KEEP)
      rmSync(path.join(this.dir, 'data'), { recursive: true, force: true });
  }
}

/** FerretDB of the run's own (the shared PostgreSQL below it), restartable without touching anyone else. */
export class OwnFerretDb {
  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get uri() {
    return `mongodb://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await stackStart('mongodb', this.dir, { GM_MONGO_PORT: String(this.port) }, [this.port]);
  }

  async crashAndRestart(): Promise<{ downMs: number }> {
    const started = Date.now();
    await kill9(stackPid(this.dir, 'mongodb'), 'ferretdb');
    await this.start();
    return { downMs: Date.now() - started };
  }

  async stop(): Promise<void> {
    await stackSh('stop', 'mongodb', this.dir, { GM_MONGO_PORT: String(this.port) });
  }
}

/** The jars stack.sh resolved (the same cache key it computes). */
function kafkaLibs(): string {
  const cache =
    process.env.GM_STACK_CACHE ?? path.join(os.homedir(), '.cache', 'group-messages-stack');
  const pom = readFileSync(path.join(REPO_ROOT, 'deploy/local/kafka/pom.xml'));
  const dir = path.join(
    cache,
    `kafka-libs-${createHash('sha256').update(pom).digest('hex').slice(0, 16)}`,
  );
  if (!existsSync(path.join(dir, '.complete'))) {
    throw new Error(`${dir} is missing: run 'bash deploy/local/stack.sh up' once to resolve Kafka`);
  }
  return dir;
}

interface Node {
  id: number;
  port: number;
  controllerPort: number;
  pid?: number;
  log: string;
  config: string;
  /** "Kafka Server started" lines already seen in its log (it is appended to across restarts). */
  startsSeen?: number;
}

/**
 * Three combined broker+controller nodes (KRaft, static quorum of three),
 * replication 3 and min.insync.replicas=2 by default: losing any one node
 * keeps both the quorum and every partition writable with acks=all.
 */
export class KafkaCluster implements KafkaUnderTest {
  readonly replicationFactor = 3;
  readonly minInsyncReplicas = 2;
  private readonly nodes: Node[];
  private readonly java: string[];

  constructor(
    private readonly dir: string,
    ports: number[],
    controllerPorts: number[],
  ) {
    this.nodes = ports.map((port, i) => ({
      id: i + 1,
      port,
      controllerPort: controllerPorts[i]!,
      log: path.join(dir, `node-${i + 1}.log`),
      config: path.join(dir, 'conf', `node-${i + 1}.properties`),
    }));
    const log4j = path.join(dir, 'conf', 'log4j2.yaml');
    this.java = [
      'java',
      '-Xms128m',
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${log4j}`,
      '-cp',
      `${kafkaLibs()}/*`,
    ];
  }

  get brokers() {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`);
  }

  nodeIdOf(broker: string): number {
    const node = this.nodes.find((n) => `127.0.0.1:${n.port}` === broker);
    if (!node) throw new Error(`${broker} is not a node of the cluster`);
    return node.id;
  }

  private configure(): void {
    mkdirSync(path.join(this.dir, 'conf'), { recursive: true });
    writeFileSync(
      path.join(this.dir, 'conf', 'log4j2.yaml'),
      [
        'Configuration:',
        '  Appenders:',
        '    Console:',
        '      name: STDOUT',
        '      PatternLayout:',
        '        Pattern: "[%d] %p %m (%c)%n"',
        '  Loggers:',
        '    Root:',
        '      level: WARN',
        '      AppenderRef:',
        '        - ref: STDOUT',
        '    Logger:',
        '      - name: kafka.server.KafkaRaftServer',
        '        level: INFO',
        '',
      ].join('\n'),
    );
    const voters = this.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
    for (const node of this.nodes) {
      writeFileSync(
        node.config,
        [
          'process.roles=broker,controller',
          `node.id=${node.id}`,
          `controller.quorum.voters=${voters}`,
          `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
          `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
          'controller.listener.names=CONTROLLER',
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          'inter.broker.listener.name=PLAINTEXT',
          `log.dirs=${path.join(this.dir, 'data', `node-${node.id}`)}`,
          'num.partitions=3',
          'default.replication.factor=3',
          'min.insync.replicas=2',
          'offsets.topic.replication.factor=3',
          'transaction.state.log.replication.factor=3',
          'transaction.state.log.min.isr=2',
          'unclean.leader.election.enable=false',
          'group.initial.rebalance.delay.ms=0',
          // A killed node's partitions move quickly: the broker session is the failure detector.
          'broker.session.timeout.ms=6000',
          'broker.heartbeat.interval.ms=1000',
          '',
        ].join('\n'),
      );
    }
  }

  async startFresh(): Promise<void> {
    // Nodes an interrupted run left behind (their pid files name them; the cmdline must match).
    for (const node of this.nodes) {
      const file = `${node.config}.pid`;
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8'));
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })();
      if (cmdline.includes(node.config)) await kill9(pid, `stale kafka node ${node.id}`);
      rmSync(file, { force: true });
    }
    if ((await Promise.all(this.nodes.map((n) => portAnswers(n.port)))).some(Boolean)) {
      throw new Error(`ports ${this.brokers.join(', ')} are taken: a cluster of an earlier run?`);
    }
    rmSync(path.join(this.dir, 'data'), { recursive: true, force: true });
    await this.start();
  }

  async start(): Promise<void> {
    this.configure();
    const formatted = this.nodes.every((n) =>
      existsSync(path.join(this.dir, 'data', `node-${n.id}`, 'meta.properties')),
    );
    if (!formatted) {
      rmSync(path.join(this.dir, 'data'), { recursive: true, force: true });
      // Kafka's Uuid.randomUuid(): 16 random bytes, base64url without padding; never with a
      // leading '-', which the command line would read as an option (Kafka regenerates those too).
      let clusterId = randomBytes(16).toString('base64url');
      while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
      await Promise.all(
        this.nodes.map((node) =>
          this.run(['kafka.tools.StorageTool', 'format', '-c', node.config, '-t', clusterId]),
        ),
      );
    }
    for (const node of this.nodes) this.spawnNode(node);
    await Promise.all(this.nodes.map((node) => this.waitNode(node)));
  }

  private run(args: string[]): Promise<void> {
    const [command, ...rest] = this.java;
    return new Promise((resolve, reject) => {
      const child = spawn(command!, [...rest, ...args], {
        env: childEnv(),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${args.join(' ')} failed (${code}): ${stderr}`));
      });
    });
  }

  private spawnNode(node: Node): void {
    const fd = openSync(node.log, 'a');
    try {
      const [command, ...rest] = this.java;
      const child = spawn(command!, [...rest, 'kafka.Kafka', node.config], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: childEnv(),
      });
      child.unref();
      node.pid = child.pid;
      writeFileSync(`${node.config}.pid`, String(child.pid));
    } finally {
      closeSync(fd);
    }
  }

  private async waitNode(node: Node): Promise<void> {
    // A restarted node first catches up with the metadata log and its replicas:
    // 70 s seen on a loaded 2-core machine.
    const deadline = Date.now() + NODE_START_MS;
    for (;;) {
      if (!node.pid || !isAlive(node.pid)) {
        throw new Error(`kafka node ${node.id} exited:\n${tail(node.log)}`);
      }
      const started = readFileSync(node.log, 'utf8').split('Kafka Server started').length - 1;
      if (started >= (node.startsSeen ?? 0) + 1 && (await portAnswers(node.port))) {
        node.startsSeen = started;
        return;
      }
      if (Date.now() > deadline)
        throw new Error(
          `kafka node ${node.id} not up in ${NODE_START_MS / 1000} s:\n${tail(node.log)}`,
        );
      await sleep(250);
    }
  }

  /** kill -9 the node with this id (e.g. a partition's leader). */
  async crash(nodeId: number): Promise<void> {
    const node = this.nodes.find((n) => n.id === nodeId)!;
    if (node.pid) await kill9(node.pid, `kafka node ${nodeId}`);
    node.pid = undefined;
  }

  /** Starts a crashed node again on its own data: it catches up and rejoins the ISR. */
  async restart(nodeId: number): Promise<void> {
    const node = this.nodes.find((n) => n.id === nodeId)!;
    this.spawnNode(node);
    await this.waitNode(node);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => (n.pid ? kill9(n.pid, `kafka node ${n.id}`) : null)));
    if (!process.env.FAULTS_KEEP)
      rmSync(path.join(this.dir, 'data'), { recursive: true, force: true });
  }
}
