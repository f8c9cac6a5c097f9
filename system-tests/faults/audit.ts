/**
 * After the load: where did every message end up? Read only through the
 * public read APIs (inbox-projection's member inboxes and patient mailboxes,
 * routing-assignment's timelines), as a practice and its patients would see
 * them, plus two looks at the plumbing to know when the system has gone
 * quiet (consumer lag, pending outboxes).
 *
 * Where a message must be (ADR 0011/0012 visibility; nobody is assigned):
 *   Billing, Lab (specific members)  → the group's Admin mbr_gadmin only
 *                                       (its Users see unassigned threads nowhere)
 *   Diabetes Care Team (care-team)   → mbr_gadmin (Admin) and mbr_care (care team)
 *   direct to mbr_care               → mbr_care's direct inbox
 *   always                           → the patient's Sent mailbox
 * and nowhere else: every active member's every listing is read.
 */
import { createKafka, silentLogger } from '@gm/messaging';
import { MongoClient } from 'mongodb';
import { call, type Answer } from '../harness/http.js';
import type { PracticeFixture } from '../harness/fixtures.js';
import type { TokenBox } from '../harness/tokens.js';
import { sleep, type ServiceName } from './layout.js';
import type { SentMessage } from './load.js';

type Seeded = PracticeFixture & { groupIds: Record<string, string> };

/** `member:<id>:<groupId|direct>` or `patient:<id>:sent`. */
type Place = string;

export interface Figures {
  attempted: number;
  accepted: number;
  acceptedFirstTry: number;
  acceptedAfterRetry: number;
  /** Accepted with Idempotent-Replayed: an earlier attempt had written it and lost its answer. */
  replayed: number;
  /** No 2xx after every retry. */
  failed: number;
  /** Failed on the client's side, but written (and delivered) all the same. */
  failedButDelivered: number;
  /** Accepted and in exactly its places, once each, with one message and one routing. */
  delivered: number;
  /** Extra copies: a thread listed twice, a message twice in a thread, routed twice. */
  duplicates: number;
  /** Accepted messages missing from at least one of their places. */
  lost: number;
  /** Listed where it must not be, or a thread nobody sent. */
  unexpected: number;
  /** Billing's response target as each of its threads' timeline shows it fired (once each). */
  overdue: { threadId: string; respondBy: string; firedAt: string }[];
  details: string[];
}

/**
 * The workflow the single-broker world gives Billing (FaultWorld.open):
 * deadlines fall due all through the load, so its kill of
 * routing-assignment kills the timer's owner at one. The three-broker world
 * kills only brokers, and keeps its time for that.
 */
export const BILLING_WORKFLOW = {
  responseTargetSeconds: 2,
  businessHours: null,
  acknowledgement: { when: 'always', text: 'We have your message and will answer soon.' },
  returnToQueueSeconds: null,
} as const;

/** How long the deep audit waits for a Billing thread's target to fire. */
const OVERDUE_WAIT_MS = 20_000;

type TimelineEntry = { kind: string; at: string; details?: Record<string, unknown> };

const MAX_PAGES = 200;

export class Auditor {
  constructor(
    private readonly urls: Record<ServiceName, string>,
    private readonly tokens: TokenBox,
    private readonly fixture: Seeded,
    /** Whether Billing runs BILLING_WORKFLOW in this world (FaultWorld.open). */
    private readonly billingWorkflow: boolean,
  ) {}

  /** A thread the workflow acknowledges and makes overdue once each. */
  private followsWorkflow(m: SentMessage): boolean {
    return this.billingWorkflow && m.route === 'billing';
  }

  private placesOf(m: SentMessage): Place[] {
    const patient = `patient:${m.patientId}:sent`;
    if (m.route === 'direct') return [`member:mbr_care:direct`, patient];
    const groupId = this.fixture.groupIds[m.route]!;
    const staff =
      m.route === 'care'
        ? [`member:mbr_gadmin:${groupId}`, `member:mbr_care:${groupId}`]
        : [`member:mbr_gadmin:${groupId}`];
    return [...staff, patient];
  }

  private async pages(
    url: string,
    token: string,
  ): Promise<{ threadId: string; subject: string }[]> {
    const rows: { threadId: string; subject: string }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer: Answer = await call(
        'GET',
        `${url}${url.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      );
      // 404: a listing of a group the member has nothing in (group-not-found for non-members).
      if (answer.status === 404) return rows;
      if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${answer.text}`);
      const body = answer.json as {
        threads: { threadId: string; subject: string }[];
        nextCursor: string | null;
      };
      rows.push(...body.threads.map((t) => ({ threadId: t.threadId, subject: t.subject })));
      cursor = body.nextCursor;
      if (!cursor) return rows;
    }
    throw new Error(`GET ${url}: more than ${MAX_PAGES} pages`);
  }

  /** Every listing of every active member and every patient's Sent box. */
  private async observe(): Promise<Map<Place, { threadId: string; subject: string }[]>> {
    const { practiceId } = this.fixture;
    const observed = new Map<Place, { threadId: string; subject: string }[]>();
    const inbox = this.urls['inbox-projection'];
    const work: Promise<void>[] = [];
    for (const member of Object.values(this.fixture.members).filter((m) => m.active)) {
      const token = await this.tokens.member(practiceId, member.id);
      for (const listing of [...Object.values(this.fixture.groupIds), 'direct']) {
        const url =
          listing === 'direct'
            ? `${inbox}/inbox/direct?filter=all`
            : `${inbox}/inbox/groups/${listing}/threads?filter=all`;
        work.push(
          this.pages(url, token).then((rows) => {
            observed.set(`member:${member.id}:${listing}`, rows);
          }),
        );
      }
    }
    for (const patient of Object.values(this.fixture.patients)) {
      const token = await this.tokens.patient(practiceId, patient.id);
      work.push(
        this.pages(`${inbox}/mailbox?box=sent`, token).then((rows) => {
          observed.set(`patient:${patient.id}:sent`, rows);
        }),
      );
    }
    await Promise.all(work);
    return observed;
  }

  /**
   * The figures as the listings show them now; `deep` also opens every
   * accepted thread (patient view: one message; routing timeline: sent and
   * routed once, no follow-up).
   */
  async figures(messages: SentMessage[], deep: boolean): Promise<Figures> {
    const observed = await this.observe();
    const details: string[] = [];
    const accepted = messages.filter((m) => m.outcome === 'accepted');
    const failed = messages.filter((m) => m.outcome !== 'accepted');
    const byThread = new Map(accepted.map((m) => [m.threadId!, m]));
    const failedBySubject = new Map(failed.map((m) => [m.subject, m]));

    // Which threads each place shows, how many times.
    const counts = new Map<Place, Map<string, number>>();
    for (const [place, rows] of observed) {
      const seen = new Map<string, number>();
      for (const row of rows) seen.set(row.threadId, (seen.get(row.threadId) ?? 0) + 1);
      counts.set(place, seen);
    }

    let duplicates = 0;
    let lost = 0;
    const deliveredOk = new Set<string>();
    for (const m of accepted) {
      let ok = true;
      for (const place of this.placesOf(m)) {
        const c = counts.get(place)?.get(m.threadId!) ?? 0;
        if (c === 0) ok = false;
        if (c > 1) {
          duplicates += c - 1;
          details.push(`duplicate: ${m.subject} (${m.threadId}) ${c}× in ${place}`);
        }
      }
      if (ok) deliveredOk.add(m.threadId!);
      else {
        lost++;
        if (details.length < 50)
          details.push(
            `missing: ${m.subject} (${m.threadId}, ${m.route}) from ${this.placesOf(m)
              .filter((p) => !counts.get(p)?.get(m.threadId!))
              .join(', ')}`,
          );
      }
    }

    // Everything listed that is not where it must be.
    let unexpected = 0;
    const failedDelivered = new Set<string>();
    for (const [place, rows] of observed) {
      for (const row of rows) {
        const mine = byThread.get(row.threadId);
        if (mine) {
          if (!this.placesOf(mine).includes(place)) {
            unexpected++;
            details.push(`misplaced: ${mine.subject} (${row.threadId}) in ${place}`);
          }
          continue;
        }
        const unanswered = failedBySubject.get(row.subject);
        if (unanswered && this.placesOf(unanswered).includes(place)) {
          failedDelivered.add(unanswered.subject);
          continue;
        }
        unexpected++;
        details.push(`unexpected: "${row.subject}" (${row.threadId}) in ${place}`);
      }
    }

    const overdue: Figures['overdue'] = [];
    if (deep) {
      const extra = await this.openEach(accepted.filter((m) => deliveredOk.has(m.threadId!)));
      duplicates += extra.duplicates;
      details.push(...extra.details);
      overdue.push(...extra.overdue);
      for (const threadId of extra.bad) deliveredOk.delete(threadId);
    }
    return {
      attempted: messages.length,
      accepted: accepted.length,
      acceptedFirstTry: accepted.filter((m) => m.attempts === 1).length,
      acceptedAfterRetry: accepted.filter((m) => m.attempts > 1).length,
      replayed: accepted.filter((m) => m.replayed).length,
      failed: failed.length,
      failedButDelivered: failedDelivered.size,
      delivered: deliveredOk.size,
      duplicates,
      lost,
      unexpected,
      overdue,
      details,
    };
  }

  /** Opens each thread as its patient and on the practice side (bounded concurrency). */
  private async openEach(messages: SentMessage[]) {
    const { practiceId } = this.fixture;
    let duplicates = 0;
    const details: string[] = [];
    const bad = new Set<string>();
    const overdue: Figures['overdue'] = [];
    const queue = [...messages];
    const worker = async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        const patientToken = await this.tokens.patient(practiceId, m.patientId);
        const mailbox = await call(
          'GET',
          `${this.urls['inbox-projection']}/mailbox/threads/${m.threadId}`,
          { token: patientToken },
        );
        const messagesSeen = (mailbox.json as { messages?: unknown[] })?.messages?.length ?? 0;
        if (mailbox.status !== 200 || messagesSeen !== 1) {
          bad.add(m.threadId!);
          duplicates += Math.max(0, messagesSeen - 1);
          details.push(`mailbox thread ${m.threadId}: ${mailbox.status}, ${messagesSeen} messages`);
        }
        const { status, entries } = await this.timeline(m);
        const kinds = entries.map((e) => e.kind);
        const count = (kind: string) => kinds.filter((k) => k === kind).length;
        // Billing acknowledges each message and makes it overdue once (BILLING_WORKFLOW); nothing else does.
        const once = this.followsWorkflow(m) ? 1 : 0;
        const [sent, routed, followUps] = [count('sent'), count('routed'), count('follow-up')];
        const [acknowledged, overdueSteps] = [count('acknowledged'), count('overdue')];
        if (
          status !== 200 ||
          sent !== 1 ||
          routed !== 1 ||
          followUps !== 0 ||
          acknowledged !== once ||
          overdueSteps !== once
        ) {
          bad.add(m.threadId!);
          duplicates +=
            Math.max(0, sent - 1) +
            Math.max(0, routed - 1) +
            followUps +
            Math.max(0, acknowledged - once) +
            Math.max(0, overdueSteps - once);
          details.push(`timeline ${m.threadId}: ${status}, ${kinds.join(',')}`);
        }
        const fired = entries.find((e) => e.kind === 'overdue');
        if (fired && overdueSteps === 1) {
          const respondBy = String(fired.details?.respondBy);
          overdue.push({ threadId: m.threadId!, respondBy, firedAt: fired.at });
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    return { duplicates, details, bad, overdue };
  }

  /**
   * The thread's progress timeline, as the group's Admin (or a direct
   * message's addressee) reads it; a Billing thread's once its target has
   * fired, or the wait's bound passed.
   */
  private async timeline(m: SentMessage): Promise<{ status: number; entries: TimelineEntry[] }> {
    const staff = m.route === 'direct' ? 'mbr_care' : 'mbr_gadmin';
    const token = await this.tokens.member(this.fixture.practiceId, staff);
    const url = `${this.urls['routing-assignment']}/threads/${m.threadId}/timeline`;
    const until = Date.now() + OVERDUE_WAIT_MS;
    for (;;) {
      const answer = await call('GET', url, { token });
      const entries = (answer.json as { entries?: TimelineEntry[] })?.entries ?? [];
      const waiting = this.followsWorkflow(m) && !entries.some((e) => e.kind === 'overdue');
      if (answer.status !== 200 || !waiting || Date.now() > until) {
        return { status: answer.status, entries };
      }
      await sleep(500);
    }
  }
}

/**
 * Quiet: every consumer group of the world has committed up to the end of
 * every partition it consumes, and no outbox holds an unpublished event.
 * Polled within a bound; answers what was still moving when it gave up.
 */
export async function waitQuiet(options: {
  brokers: string[];
  groups: string[];
  mongoUri: string;
  databases: string[];
  timeoutMs: number;
}): Promise<{ quiet: boolean; ms: number; lastState: string }> {
  const started = Date.now();
  const kafka = createKafka({ brokers: options.brokers, clientId: 'faults-audit' }, silentLogger);
  const admin = kafka.admin();
  const mongo = new MongoClient(options.mongoUri, { serverSelectionTimeoutMS: 5000 });
  await admin.connect();
  await mongo.connect();
  let lastState = '';
  try {
    while (Date.now() - started < options.timeoutMs) {
      const moving: string[] = [];
      const topics = (await admin.listTopics()).filter(
        (t) => t.startsWith('gm.') && !t.startsWith('gm.dead-letter'),
      );
      const ends = new Map<string, string>();
      for (const topic of topics) {
        for (const p of await admin.fetchTopicOffsets(topic))
          ends.set(`${topic}/${p.partition}`, p.high);
      }
      for (const groupId of options.groups) {
        for (const t of await admin.fetchOffsets({ groupId, topics })) {
          for (const p of t.partitions) {
            if (p.offset === '-1') continue; // a topic this group does not consume
            const end = ends.get(`${t.topic}/${p.partition}`) ?? '0';
            if (BigInt(end) > BigInt(p.offset))
              moving.push(
                `${groupId} ${t.topic}/${p.partition} lag ${BigInt(end) - BigInt(p.offset)}`,
              );
          }
        }
      }
      for (const database of options.databases) {
        const db = mongo.db(database);
        for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
          const pending = await db.collection(name).countDocuments({ _outboxPending: true });
          if (pending) moving.push(`${database}.${name}: ${pending} outbox pending`);
        }
      }
      lastState = moving.slice(0, 10).join('; ');
      if (!moving.length) return { quiet: true, ms: Date.now() - started, lastState };
      await sleep(500);
    }
    return { quiet: false, ms: Date.now() - started, lastState };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await mongo.close().catch(() => undefined);
  }
}
