import type { Collection, Document } from 'mongodb';
import type { Producer, TopicMessages } from 'kafkajs';
import type { DocumentLocks } from '../lease/redis-document-locks.js';
import type { Logger } from '../logger.js';
import type { OutboxFields, OutboxRecord } from './outbox-record.js';
import type { Reactions } from '../consistency/reactions.js';
import { inParallel } from '../in-parallel.js';
import { sendPerPartition } from '../single-partition-sends.js';
import { outboxBacklog, outboxOldestAge, outboxPublishDuration } from '../telemetry/metrics.js';
import { failed, startPublishSpan, traceContextOf } from '../telemetry/tracing.js';
import { CE_HEADERS } from '@gm/contracts';
import { ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';

/** The lease that makes one replica the publisher; see RedisLease. */
export interface Lease {
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

export interface OutboxRelayOptions {
  /** Collections whose documents carry an outbox. */
  collections: Collection<Document>[];
  /** An idempotent producer (`idempotent: true`, one request in flight). */
  producer: Producer;
  lease: Lease;
  /** Serialises the relay's clear with commands writing the same document (FerretDB; ADR 0004). */
  locks: DocumentLocks;
  logger: Logger;
  /** Idle polling interval; a nudge after a local write wakes the relay at once. */
  pollIntervalMs?: number;
  /** Documents read per collection and round. */
  batchSize?: number;
  /** When the service reacts to others' events: reported once its reactions are published (ADR 0018). */
  reactions?: Reactions;
}

type OutboxDocument = Document & Pick<OutboxFields, '_outbox' | '_outboxSeq'>;

const CLEAR_ATTEMPTS = 5;
const CLEAR_CONCURRENCY = 8;

/**
 * Publishes the events waiting in outbox documents, in their order, with
 * acks=all, then removes exactly those events from their document. A crash
 * between publish and clear publishes them again: delivery is at least once,
 * and consumers dedupe on the event id.
 */
export class OutboxRelay {
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the relay now: called after a local write appended events. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.options.lease.release().catch(() => undefined);
  }

  /**
   * One round over every collection; returns how many events were
   * published. Applied events recorded before the round are reported after
   * it, when it left no outbox event pending (Reactions).
   */
  async publishPending(): Promise<number> {
    const reactions = this.options.reactions;
    const taken = (await reactions?.take()) ?? [];
    let published = 0;
    let drained = true;
    for (const collection of this.options.collections) {
      const round = await this.publishFrom(collection);
      published += round.published;
      drained &&= !round.more;
    }
    if (drained && taken.length) published += await reactions!.report(this.options.producer, taken);
    return published;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        if (await this.options.lease.hold()) published = await this.publishPending();
        else forgetBacklog(); // the replica holding the lease reports it
      } catch (error) {
        this.options.logger.warn({ err: error }, 'outbox relay round failed; retrying');
      }
      if (published === 0 && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.pollIntervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.nudged = false;
        resolve();
      };
    });
  }

  /** Publishes up to a batch of pending documents; `more` when others may be pending. */
  private async publishFrom(
    collection: Collection<Document>,
  ): Promise<{ published: number; more: boolean }> {
    const documents = (await collection
      .find({ _outboxPending: true }, { projection: { _outbox: 1, _outboxSeq: 1 } })
      .limit(this.batchSize)
      .toArray()) as unknown as OutboxDocument[];
    const more = documents.length >= this.batchSize;
    const records = documents.flatMap((document) => document._outbox ?? []);
    await this.measureBacklog(collection, records, more);
    if (!records.length) return { published: 0, more };

    const spans = records.map(publishSpan);
    const timer = outboxPublishDuration.startTimer({ collection: collection.collectionName });
    try {
      // Not one sendBatch for the round: one that spans several leaders can
      // resolve without a partition whose leader died mid-request (kafkajs
      // retry bug, see sendPerPartition), and the clear below would drop it.
      await sendPerPartition(this.options.producer, byTopic(records, spans));
    } catch (error) {
      for (const span of spans) if (span) failed(span, error);
      throw error;
    } finally {
      timer();
      for (const span of spans) span?.end();
    }

    // Each document has its own lock, so their clears can overlap.
    await inParallel(documents, CLEAR_CONCURRENCY, (document) =>
      this.options.locks.exclusive(documentLockKey(collection.collectionName, document._id), () =>
        this.clearPublished(collection, document),
      ),
    );
    return { published: records.length, more };
  }

  /**
   * Backlog and age of the oldest waiting event, from what the round found
   * (counted in full only when more than a round's worth is waiting), so an
   * idle relay costs no extra query.
   */
  private async measureBacklog(
    collection: Collection<Document>,
    records: OutboxRecord[],
    more: boolean,
  ): Promise<void> {
    const labels = { collection: collection.collectionName };
    const oldest = records.reduce(
      (min, record) => Math.min(min, Date.parse(record.headers[CE_HEADERS.time] ?? '') || min),
      Date.now(),
    );
    // The events' own time: a clock ahead of ours must not make a negative age.
    outboxOldestAge.set(labels, Math.max(0, Date.now() - oldest) / 1000);
    outboxBacklog.set(
      labels,
      more
        ? // documents waiting × events per document of this round
          ((await collection.countDocuments({ _outboxPending: true })) * records.length) /
            this.batchSize
        : records.length,
    );
  }

  /**
   * Removes the published events with a compare-and-set on `_outboxSeq`; if a
   * writer appended meanwhile, re-reads and keeps what it appended.
   */
  private async clearPublished(
    collection: Collection<Document>,
    document: OutboxDocument,
  ): Promise<void> {
    const published = new Set(document._outbox.map((record) => record.id));
    let current: OutboxDocument | null = document;
    for (let attempt = 0; attempt < CLEAR_ATTEMPTS && current; attempt++) {
      const remaining = (current._outbox ?? []).filter((record) => !published.has(record.id));
      const result = await collection.updateOne(
        { _id: current._id, _outboxSeq: current._outboxSeq },
        { $set: { _outbox: remaining, _outboxPending: remaining.length > 0 } },
      );
      if (result.matchedCount === 1) return;
      current = (await collection.findOne(
        { _id: current._id },
        { projection: { _outbox: 1, _outboxSeq: 1 } },
      )) as OutboxDocument | null;
    }
    // Left pending: the next round publishes these events again, which
    // consumers absorb by event id.
    this.options.logger.warn(
      { documentId: String(document._id) },
      'outbox not cleared; will retry',
    );
  }
}

/** The lock key every writer of an outbox-carrying document uses. */
export function documentLockKey(collectionName: string, id: unknown): string {
  return `${collectionName}:${String(id)}`;
}

function forgetBacklog(): void {
  outboxBacklog.reset();
  outboxOldestAge.reset();
}

/** A producer span for a record that carries a trace; untraced records get none. */
function publishSpan(record: OutboxRecord): Span | undefined {
  const traceparent = record.headers[CE_HEADERS.traceparent];
  if (!traceparent) return undefined;
  return startPublishSpan(record.topic, record.id, record.type, {
    traceparent,
    tracestate: record.headers[CE_HEADERS.tracestate],
  });
}

function byTopic(records: OutboxRecord[], spans: (Span | undefined)[]): TopicMessages[] {
  const topics = new Map<string, TopicMessages>();
  records.forEach((record, i) => {
    let entry = topics.get(record.topic);
    if (!entry) {
      entry = { topic: record.topic, messages: [] };
      topics.set(record.topic, entry);
    }
    // Consumers continue from the producer span, not from the writer's.
    const span = spans[i];
    const headers = span ? { ...record.headers, ...traceHeaders(span) } : record.headers;
    entry.messages.push({ key: record.key, value: record.value, headers });
  });
  return [...topics.values()];
}

function traceHeaders(span: Span): Record<string, string> {
  const fields = traceContextOf(trace.setSpan(ROOT_CONTEXT, span));
  return {
    ...(fields.traceparent ? { [CE_HEADERS.traceparent]: fields.traceparent } : {}),
    ...(fields.tracestate ? { [CE_HEADERS.tracestate]: fields.tracestate } : {}),
  };
}
