/**
 * Stored history, loaded directly: `--history-load N` writes N threads into
 * the stores of the services on the message path before the ladder runs, so
 * the ladder, the inbox pages and the revocation probes run over them.
 * Through the public API a million threads take days on this machine; here
 * they take minutes, by bulk inserts into each service's own database.
 *
 * The documents are made by the services' own domain functions, as each
 * service would store them for a patient's first message to a group, routed
 * and with its audience published: messaging-intake's thread
 * (`startThread`), routing-assignment's thread (`openThread`, the audience
 * from `threadAudience`), inbox-projection's view (the same folds the
 * projector runs) and the Admin's inbox entry (`entryFor`). Nothing is
 * written to Kafka: a rebuild replays only what the run itself sent.
 *
 * Shape (the issue's): a tenth of the threads in one group of the bench
 * practice, Lab Services, whose Admin is the ladder's Admin (so their inbox
 * pages run over it; the ladder writes to Billing, so its own pages stay
 * comparable); the rest spread over 99 other practices, one group each.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient, type AnyBulkWriteOperation, type Db, type Document } from 'mongodb';
import { startThread } from '../services/messaging-intake/src/patient-messaging/domain/thread.js';
import { openThread } from '../services/routing-assignment/src/threads/domain/thread.js';
import { NO_WORKFLOW } from '../services/routing-assignment/src/threads/domain/thread-workflow.js';
import { threadAudience } from '../services/routing-assignment/src/threads/domain/thread-audience.js';
import { toDocument } from '../services/routing-assignment/src/threads/infrastructure/threads.repository.js';
import { entryFor } from '../services/inbox-projection/src/inbox/domain/inbox-entry.js';
import {
  applyAudience,
  applyMessage,
  applyPracticeFact,
  emptyView,
} from '../services/inbox-projection/src/inbox/domain/thread-view.js';
import type { ServiceName } from '../system-tests/faults/layout.js';

export interface HistoryLoad {
  threads: number;
  inBenchGroup: number;
  practices: number;
  seconds: number;
  documentsPerSecond: number;
}

interface Target {
  practiceId: string;
  groupId: string;
  groupName: string;
  adminMemberId: string;
  patientIds: string[];
  patientName: (patientId: string) => string;
}

const BATCH = 1000;
const OTHER_PRACTICES = 99;
/** Bulk inserts in flight at once (FerretDB turns each into one transaction). */
const IN_FLIGHT = 3;

/** One thread as the three services would hold it after its first message, routed. */
function documentsOf(target: Target, n: number, at: Date) {
  const threadId = `thr_hist_${target.practiceId}_${n}`;
  const patientId = target.patientIds[n % target.patientIds.length]!;
  const sentAt = new Date(at.getTime() - (1_000_000 - n) * 1000).toISOString();
  const messageId = `msg_hist_${randomUUID()}`;
  const { thread, message } = startThread({
    threadId,
    practiceId: target.practiceId,
    patientId,
    recipient: { kind: 'group', groupId: target.groupId },
    subject: `Question about my bill #${n}`,
    messageId,
    body: 'I was charged twice for my last visit; could you check my statement, please?',
    sentAt,
    requestFingerprint: null,
  });
  const { threadId: _intakeId, ...intakeState } = thread;
  const routed = openThread(
    { ...message, recipientKind: 'group', groupId: target.groupId, memberId: null },
    { name: target.groupName, recipientMode: 'specific-members', workflow: NO_WORKFLOW },
    sentAt,
  ).state;
  const members = threadAudience(routed, {
    group: {
      name: target.groupName,
      members: [{ memberId: target.adminMemberId, privilege: 'admin' }],
    },
    careTeamMemberIds: [],
    activeMemberIds: new Set([target.adminMemberId]),
  });
  const view = emptyView(target.practiceId, threadId, patientId);
  applyMessage(view, {
    ...message,
    recipientKind: 'group',
    groupId: target.groupId,
    memberId: null,
  });
  applyPracticeFact(view, {
    kind: 'routed',
    threadVersion: routed.version,
    occurredAt: sentAt,
    groupId: target.groupId,
    patientId,
    routing: 'specific-members',
    memberId: null,
  });
  applyAudience(view, { audienceVersion: 1, members });
  return {
    intake: { _id: threadId, ...intakeState },
    routing: { _id: threadId, ...toDocument(routed, 1, { version: 1, members }) },
    view: { _id: threadId, ...view },
    entries: members.map(({ memberId, reason }) =>
      entryFor(view, memberId, reason, target.patientName(patientId), 0),
    ),
  };
}

/** Bulk inserts with a few in flight; unordered, so one batch is one round trip. */
class Inserter {
  private readonly pending = new Map<string, Document[]>();
  private readonly flying = new Set<Promise<unknown>>();
  written = 0;

  constructor(private readonly collections: Record<string, () => ReturnType<Db['collection']>>) {}

  async add(name: string, documents: Document[]): Promise<void> {
    const list = this.pending.get(name) ?? [];
    list.push(...documents);
    this.pending.set(name, list);
    if (list.length >= BATCH) await this.flush(name);
  }

  async flush(name: string): Promise<void> {
    const documents = this.pending.get(name) ?? [];
    if (!documents.length) return;
    this.pending.set(name, []);
    while (this.flying.size >= IN_FLIGHT) await Promise.race(this.flying);
    const operations = documents.map((document): AnyBulkWriteOperation => ({
      insertOne: { document },
    }));
    const write = this.collections[name]!()
      .bulkWrite(operations, { ordered: false })
      .then(() => (this.written += documents.length))
      .finally(() => this.flying.delete(write));
    this.flying.add(write);
  }

  async close(): Promise<void> {
    for (const name of this.pending.keys()) await this.flush(name);
    await Promise.all(this.flying);
  }
}

export async function loadHistory(
  options: {
    mongoUri: string;
    databaseOf: (service: ServiceName) => string;
    benchPractice: Omit<Target, 'patientName'> & { patientNames: Record<string, string> };
    threads: number;
  },
  say: (line: string) => void,
): Promise<HistoryLoad> {
  const client = await new MongoClient(options.mongoUri, { retryWrites: false }).connect();
  const started = Date.now();
  try {
    const db = (service: ServiceName) => client.db(options.databaseOf(service));
    const inserter = new Inserter({
      intake: () => db('messaging-intake').collection('patient_threads'),
      routing: () => db('routing-assignment').collection('threads'),
      views: () => db('inbox-projection').collection('thread_views_g1'),
      entries: () => db('inbox-projection').collection('inbox_entries_g1'),
    });
    const { patientNames, ...bench } = options.benchPractice;
    const targets: { target: Target; count: number }[] = [];
    const inBench = Math.round(options.threads / 10);
    targets.push({
      target: { ...bench, patientName: (id) => patientNames[id] ?? '' },
      count: inBench,
    });
    const rest = options.threads - inBench;
    for (let p = 1; p <= OTHER_PRACTICES; p++) {
      const count = Math.floor(rest / OTHER_PRACTICES) + (p <= rest % OTHER_PRACTICES ? 1 : 0);
      const practiceId = `prc_hist_${String(p).padStart(2, '0')}`;
      targets.push({
        target: {
          practiceId,
          groupId: `grp_hist_${p}`,
          groupName: 'Front Office',
          adminMemberId: `mbr_hist_admin_${p}`,
          patientIds: Array.from({ length: 50 }, (_, i) => `pat_hist_${p}_${i}`),
          patientName: (id) => `Patient ${id.slice(-2)}`,
        },
        count,
      });
    }
    const at = new Date();
    let done = 0;
    let lastSaid = Date.now();
    for (const { target, count } of targets) {
      for (let n = 0; n < count; n++) {
        const d = documentsOf(target, n, at);
        await inserter.add('intake', [d.intake]);
        await inserter.add('routing', [d.routing]);
        await inserter.add('views', [d.view]);
        await inserter.add('entries', d.entries);
        done++;
        if (Date.now() - lastSaid > 15_000) {
          lastSaid = Date.now();
          const s = (Date.now() - started) / 1000;
          say(
            `history load: ${done} of ${options.threads} threads, ${Math.round(inserter.written / s)} documents/s`,
          );
        }
      }
    }
    await inserter.close();
    const seconds = (Date.now() - started) / 1000;
    return {
      threads: done,
      inBenchGroup: inBench,
      practices: targets.length,
      seconds,
      documentsPerSecond: Math.round(inserter.written / seconds),
    };
  } finally {
    await client.close();
  }
}
