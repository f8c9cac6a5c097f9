/**
 * Dead letters of one consumer group, for operators (ADR 0019):
 *
 *   node --import @swc-node/register/esm-register tools/dead-letters.ts list --group <consumerGroup>
 *   ... show --group G --offset [P:]N [--with-payload --operator <id>]
 *   ... replay --group G (--offset [P:]N ... | --all) [--dry-run] [--force] --operator <id>
 *
 * `list` prints one line per dead letter of `gm.dead-letter.<group>`: where
 * it is, where it came from (topic/partition@offset), its event type and id,
 * when it was dead-lettered, whether it was replayed, and the reason. Never
 * the payload: message subjects and bodies are PHI. `show` prints one dead
 * letter's key and headers, and its payload only with `--with-payload`.
 * `replay` republishes the original records (same key, value and headers,
 * to the same partition of the original topic) so that the fixed consumers
 * take them again.
 *
 * Idempotent: consumers dedupe on the CloudEvents id or apply version-checked
 * upserts (ADR 0005), so a record replayed twice is applied once; every other
 * consumer group of that topic, which applied it already, skips it the same
 * way. The tool also remembers its replays: a compacted topic
 * `gm.dead-letter-replays`, keyed `<group>|<partition>|<offset>`, ids and
 * offsets only; `replay` skips a dead letter replayed before unless `--force`.
 *
 * Audited (ADR 0013's trail): every `show --with-payload` and every replay
 * publishes an AccessRecorded (`dead-letter.payload.read`,
 * `dead-letter.replay`; actor `system` = the operator; `threadId` = the
 * record's subject) to gm.access-audit BEFORE the payload is printed or the
 * record republished; if it cannot be published, nothing is shown or
 * replayed. A dead letter without a valid practice id and subject cannot be
 * attributed to a practice's trail and is refused for both.
 *
 * KAFKA_BROKERS (default 127.0.0.1:9092); DEAD_LETTER_OPERATOR stands for
 * --operator. Exit 0 when everything asked was done, 1 when something was
 * refused or failed, 2 on a usage error.
 */
import { accessRecordedEvent } from '@gm/access-recording';
import {
  deadLetterTopic,
  toWireRecord,
  type AccessAuditAction,
  type AccessRecordedV2,
} from '@gm/contracts';
import { Kafka, logLevel, type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';

const REPLAYS_TOPIC = 'gm.dead-letter-replays';
const DEAD_LETTER_HEADER_PREFIX = 'x-dead-letter-';
const SOURCE = '/tools/dead-letters';
const READ_TIMEOUT_MS = 60_000;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

const USAGE = `usage: node --import @swc-node/register/esm-register tools/dead-letters.ts <command>
  list   --group <consumerGroup>
  show   --group <consumerGroup> --offset [<partition>:]<offset> [--with-payload --operator <id>]
  replay --group <consumerGroup> (--offset [<partition>:]<offset> ... | --all)
         [--dry-run] [--force] --operator <id>
  --operator: who runs it, for the access audit (or DEAD_LETTER_OPERATOR)
  --force: replay dead letters replayed before (replay --all skips them otherwise)
  KAFKA_BROKERS: default 127.0.0.1:9092
`;

class UsageError extends Error {}

interface Letter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  text: Record<string, string>;
}

interface ReplayMarker {
  consumerGroup: string;
  deadLetter: { topic: string; partition: number; offset: string };
  eventId: string | null;
  eventType: string | null;
  republished: { topic: string; partition: number; offset: string };
  operator: string;
  auditRecordId: string;
  replayedAt: string;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`dead-letters: ${line}\n`);

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}

const markerKey = (group: string, partition: number, offset: string) =>
  `${group}|${partition}|${offset}`;

/** Every record of `topic` from its start up to its end as of now (null: no such topic). */
async function readTopic(
  kafka: Kafka,
  topic: string,
): Promise<{ partition: number; message: KafkaMessage }[] | null> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return null;
    ends = new Map(
      (await admin.fetchTopicOffsets(topic))
        .filter(({ high, low }) => BigInt(high) > BigInt(low))
        .map(({ partition, high }) => [partition, BigInt(high) - 1n]),
    );
  } finally {
    await admin.disconnect();
  }
  const records: { partition: number; message: KafkaMessage }[] = [];
  if (!ends.size) return records;
  const groupId = `gm-dead-letters-tool-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250 });
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = ends.get(partition);
        if (end === undefined || BigInt(message.offset) > end) return;
        records.push({ partition, message });
        if (BigInt(message.offset) >= end) {
          ends.delete(partition);
          if (!ends.size) finished();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${topic} could not be read to its end`)),
          READ_TIMEOUT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  return records.sort((a, b) =>
    a.partition !== b.partition
      ? a.partition - b.partition
      : Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
  );
}

async function readLetters(kafka: Kafka, group: string): Promise<Letter[]> {
  const topic = deadLetterTopic(group);
  const records = await readTopic(kafka, topic);
  if (records === null) throw new UsageError(`no dead-letter topic ${topic}`);
  return records.map(({ partition, message }) => ({
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    text: headerText(message.headers),
  }));
}

async function readMarkers(kafka: Kafka, group: string): Promise<Map<string, ReplayMarker>> {
  const markers = new Map<string, ReplayMarker>();
  for (const { message } of (await readTopic(kafka, REPLAYS_TOPIC)) ?? []) {
    const key = message.key?.toString();
    if (!key?.startsWith(`${group}|`)) continue;
    if (message.value === null) markers.delete(key);
    else {
      try {
        markers.set(key, JSON.parse(message.value.toString()) as ReplayMarker);
      } catch {
        warn(`ignoring an unreadable replay marker ${key}`);
      }
    }
  }
  return markers;
}

/** `N` or `P:N`; a bare offset must name exactly one dead letter. */
function pick(letters: Letter[], wanted: string): Letter {
  const match = /^(?:(\d+):)?(\d+)$/.exec(wanted);
  if (!match) throw new UsageError(`--offset "${wanted}" is not [<partition>:]<offset>`);
  const [, partition, offset] = match;
  const found = letters.filter(
    (l) => l.offset === offset && (partition === undefined || l.partition === Number(partition)),
  );
  if (found.length > 1) {
    throw new UsageError(`offset ${offset} is in several partitions: give <partition>:${offset}`);
  }
  if (!found.length) throw new UsageError(`no dead letter at ${wanted}`);
  return found[0]!;
}

const where = (l: Letter, partitions: number) =>
  partitions > 1 ? `${l.partition}:${l.offset}` : l.offset;

function describeLine(l: Letter, partitions: number, marker: ReplayMarker | undefined): string {
  const h = l.text;
  const source =
    `${h['x-dead-letter-source-topic'] ?? '?'}/${h['x-dead-letter-source-partition'] ?? '?'}` +
    `@${h['x-dead-letter-source-offset'] ?? '?'}`;
  return [
    `offset=${where(l, partitions)}`,
    `source=${source}`,
    `type=${h.ce_type ?? '-'}`,
    `id=${h.ce_id ?? '-'}`,
    `at=${h['x-dead-letter-at'] ?? '-'}`,
    `replayed=${marker ? `${marker.replayedAt} by ${marker.operator}` : 'no'}`,
    `error=${JSON.stringify(h['x-dead-letter-reason'] ?? '')}`,
  ].join('  ');
}

/** The practice and subject an audit record of this letter is filed under, or why there are none. */
function attribution(l: Letter): { practiceId: string; subject: string } | string {
  const practiceId = l.text.ce_practiceid;
  const subject = l.text.ce_subject ?? l.key?.toString();
  if (!practiceId || !ID.test(practiceId)) return 'it names no valid practice (ce_practiceid)';
  if (!subject || !ID.test(subject)) return 'it names no valid subject (ce_subject)';
  return { practiceId, subject };
}

class Auditor {
  private readonly correlationId = randomUUID();

  constructor(
    private readonly producer: Producer,
    private readonly operator: string,
  ) {}

  /** Publishes the AccessRecorded (acks=all) and answers its record id; throws if it cannot. */
  async record(
    action: 'dead-letter.payload.read' | 'dead-letter.replay',
    at: { practiceId: string; subject: string },
  ): Promise<string> {
    const { definition, envelope } = accessRecordedEvent(SOURCE, {
      practiceId: at.practiceId,
      actor: { kind: 'system', id: this.operator },
      // Actions of operators, beyond the thread actions the contract lists as known.
      action: action as AccessAuditAction,
      threadId: at.subject,
      origin: { ip: null, userAgent: `gm-dead-letters (${hostname()})` },
      correlationId: this.correlationId,
    });
    const wire = toWireRecord(envelope);
    await this.producer.send({
      topic: definition.topic.name,
      acks: -1,
      messages: [{ key: wire.key, value: wire.value, headers: wire.headers }],
    });
    return (envelope.data as AccessRecordedV2).recordId;
  }
}

function operatorOf(value: string | undefined): string {
  const operator = value ?? process.env.DEAD_LETTER_OPERATOR?.trim();
  if (!operator) throw new UsageError('--operator <id> (or DEAD_LETTER_OPERATOR) is required');
  if (!ID.test(operator)) throw new UsageError(`--operator "${operator}" is not an id`);
  return operator;
}

async function list(kafka: Kafka, group: string): Promise<number> {
  const [letters, markers] = await Promise.all([
    readLetters(kafka, group),
    readMarkers(kafka, group),
  ]);
  const partitions = new Set(letters.map((l) => l.partition)).size;
  for (const l of letters) {
    out(describeLine(l, partitions, markers.get(markerKey(group, l.partition, l.offset))));
  }
  warn(`${letters.length} dead letter(s) in ${deadLetterTopic(group)}`);
  return 0;
}

async function show(
  kafka: Kafka,
  group: string,
  offset: string,
  payload: { operator: string; producer: Producer } | null,
): Promise<number> {
  const [letters, markers] = await Promise.all([
    readLetters(kafka, group),
    readMarkers(kafka, group),
  ]);
  const l = pick(letters, offset);
  const marker = markers.get(markerKey(group, l.partition, l.offset));
  out(`dead letter ${deadLetterTopic(group)} partition ${l.partition} offset ${l.offset}`);
  out(`key: ${l.key?.toString() ?? '(none)'}`);
  for (const name of Object.keys(l.text).sort()) out(`${name}: ${l.text[name]}`);
  out(`replayed: ${marker ? JSON.stringify(marker) : 'no'}`);
  out(`payload: ${l.value === null ? 'none' : `${l.value.length} bytes`}`);
  if (!payload) {
    if (l.value !== null) out('(not shown: --with-payload --operator <id> prints it, audited)');
    return 0;
  }
  const at = attribution(l);
  if (typeof at === 'string') {
    warn(`refusing to show the payload: the read cannot be audited, ${at}`);
    return 1;
  }
  const recordId = await new Auditor(payload.producer, payload.operator).record(
    'dead-letter.payload.read',
    at,
  );
  out(`audited: AccessRecorded ${recordId} (dead-letter.payload.read by ${payload.operator})`);
  const raw = l.value?.toString() ?? '';
  try {
    out(JSON.stringify(JSON.parse(raw), null, 2));
  } catch {
    out(raw);
  }
  return 0;
}

async function replay(
  kafka: Kafka,
  group: string,
  chosen: { offsets: string[]; all: boolean },
  options: { dryRun: boolean; force: boolean; operator: string },
): Promise<number> {
  const [letters, markers] = await Promise.all([
    readLetters(kafka, group),
    readMarkers(kafka, group),
  ]);
  const partitions = new Set(letters.map((l) => l.partition)).size;
  const targets = chosen.all ? letters : chosen.offsets.map((offset) => pick(letters, offset));
  const explicit = !chosen.all;
  let failures = 0;
  let replayed = 0;
  let producer: Producer | undefined;
  try {
    for (const l of [...new Set(targets)]) {
      const label = where(l, partitions);
      const key = markerKey(group, l.partition, l.offset);
      const marker = markers.get(key);
      const sourceTopic = l.text['x-dead-letter-source-topic'];
      const sourcePartition = Number(l.text['x-dead-letter-source-partition']);
      if (!sourceTopic || !Number.isInteger(sourcePartition) || sourcePartition < 0) {
        warn(
          `${label}: not a dead letter of this tool's kind (no source topic/partition); skipped`,
        );
        failures++;
        continue;
      }
      if (marker && !options.force) {
        out(`${label}: already replayed at ${marker.replayedAt} by ${marker.operator}; skipped`);
        if (explicit) warn(`${label}: --force replays it again`);
        continue;
      }
      const at = attribution(l);
      if (typeof at === 'string') {
        warn(`${label}: refused, the replay cannot be audited: ${at}`);
        failures++;
        continue;
      }
      if (options.dryRun) {
        out(
          `${label}: would replay ${l.text.ce_type ?? '-'} ${l.text.ce_id ?? '-'} to ${sourceTopic}/${sourcePartition}`,
        );
        continue;
      }
      if (!producer) {
        producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        await ensureReplaysTopic(kafka);
      }
      const auditRecordId = await new Auditor(producer, options.operator).record(
        'dead-letter.replay',
        at,
      );
      const headers: IHeaders = Object.fromEntries(
        Object.entries(l.headers).filter(([name]) => !name.startsWith(DEAD_LETTER_HEADER_PREFIX)),
      );
      const [sent] = await producer.send({
        topic: sourceTopic,
        acks: -1,
        messages: [{ key: l.key, value: l.value, headers, partition: sourcePartition }],
      });
      const next: ReplayMarker = {
        consumerGroup: group,
        deadLetter: { topic: deadLetterTopic(group), partition: l.partition, offset: l.offset },
        eventId: l.text.ce_id ?? null,
        eventType: l.text.ce_type ?? null,
        republished: {
          topic: sourceTopic,
          partition: sent?.partition ?? sourcePartition,
          offset: sent?.baseOffset ?? '?',
        },
        operator: options.operator,
        auditRecordId,
        replayedAt: new Date().toISOString(),
      };
      // After the republish: a crash in between replays it again next time, which consumers absorb.
      await producer.send({
        topic: REPLAYS_TOPIC,
        acks: -1,
        messages: [{ key, value: JSON.stringify(next) }],
      });
      replayed++;
      out(
        `${label}: replayed ${next.eventType ?? '-'} ${next.eventId ?? '-'} to ` +
          `${sourceTopic}/${next.republished.partition}@${next.republished.offset} (audit ${auditRecordId})`,
      );
    }
  } finally {
    await producer?.disconnect();
  }
  warn(
    `${options.dryRun ? 'dry run: nothing replayed' : `${replayed} replayed`}, ${failures} refused or failed`,
  );
  return failures ? 1 : 0;
}

async function ensureReplaysTopic(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(REPLAYS_TOPIC)) return;
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: REPLAYS_TOPIC,
            numPartitions: 1,
            // As durable as the services' topics (the broker default otherwise).
            ...(process.env.KAFKA_REPLICATION_FACTOR
              ? { replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR) }
              : {}),
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      })
      .catch((error: Error) => {
        // Created meanwhile by another run.
        if (!/already exists/i.test(error.message)) throw error;
      });
  } finally {
    await admin.disconnect();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      group: { type: 'string' },
      offset: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'with-payload': { type: 'boolean', default: false },
      operator: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  const group = values.group;
  if (!group || !/^[A-Za-z0-9._-]{1,200}$/.test(group)) {
    throw new UsageError('--group <consumerGroup> is required');
  }
  const offsets = values.offset ?? [];
  const kafka = new Kafka({
    clientId: 'gm-dead-letters',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 8 },
  });
  switch (command) {
    case 'list':
      if (offsets.length || values.all) throw new UsageError('list takes --group only');
      return list(kafka, group);
    case 'show': {
      if (offsets.length !== 1) throw new UsageError('show needs one --offset');
      if (!values['with-payload']) return show(kafka, group, offsets[0]!, null);
      const operator = operatorOf(values.operator);
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        return await show(kafka, group, offsets[0]!, { operator, producer });
      } finally {
        await producer.disconnect();
      }
    }
    case 'replay':
      if (values.all === offsets.length > 0) {
        throw new UsageError('replay needs --offset ... or --all (not both)');
      }
      return replay(
        kafka,
        group,
        { offsets, all: values.all },
        {
          dryRun: values['dry-run'],
          force: values.force,
          operator: operatorOf(values.operator),
        },
      );
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE')) {
    process.stderr.write(`dead-letters: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    warn(`failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
