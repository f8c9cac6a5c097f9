import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { fromWireRecord, TOPICS, type EventEnvelope } from '@gm/contracts';
import { UnprocessableEvent, type Logger } from '@gm/messaging';
import {
  INFRASTRUCTURE_CONFIG,
  KAFKA,
  PLUMBING_LOGGER,
  type InfrastructureConfig,
} from '@gm/service-kit';
import type { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { rebuildRunning } from '../../domain/inbox-errors.js';
import { Generations, POINTER_TTL_MS } from '../../infrastructure/projection-store.js';
import { CLAIM_TTL_MS, RebuildClaim } from '../../infrastructure/rebuild-claim.js';
import {
  InboxProjector,
  THREAD_EVENT_TYPES,
  type Target,
} from '../project-thread-events/inbox-projector.js';
import { ProgressProjector } from '../../../progress-reports/application/project-progress/progress-projector.js';

export interface RebuildStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  generation: number | null;
  events: number;
  startedAt: string | null;
  finishedAt: string | null;
  eventsPerSecond: number | null;
}

const REPLAYED_TOPICS = [
  TOPICS.patientMessages.name,
  TOPICS.threads.name,
  TOPICS.threadNotes.name,
  TOPICS.analyticsThreads.name,
];

/**
 * Rebuilds the projection from the event log into a fresh generation while
 * reads go on against the active one (ADR 0012):
 * 1. the pointer names the new generation as `building`, and the live
 *    consumer writes every thread event and refresh to it as well;
 * 2. once every process has seen that (twice the pointer's cache time), the
 *    topics' end offsets are taken and a fresh consumer group replays the
 *    thread topics (messages, lifecycle, notes) and the analytics stream
 *    (progress reports) from the beginning up to them, in batches;
 * 3. the pointer swaps: the new generation becomes active.
 * Folds are idempotent and order-tolerant, so the replay and the live
 * consumer's writes to the same generation converge whatever their overlap.
 * One rebuild runs at a time across the replicas (RebuildClaim), and any
 * replica answers its status.
 */
@Injectable()
export class InboxRebuild implements BeforeApplicationShutdown {
  private current: RebuildStatus = {
    state: 'idle',
    generation: null,
    events: 0,
    startedAt: null,
    finishedAt: null,
    eventsPerSecond: null,
  };
  private consumer?: Consumer;
  private running?: Promise<void>;

  constructor(
    @Inject(Generations) private readonly generations: Generations,
    @Inject(RebuildClaim) private readonly claim: RebuildClaim<RebuildStatus>,
    private readonly projector: InboxProjector,
    private readonly progress: ProgressProjector,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
    @Inject(PLUMBING_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * This replica's rebuild while it runs one, else the last one any replica
   * reported; a report still `running` whose claim lapsed was interrupted.
   */
  async status(): Promise<RebuildStatus> {
    if (this.current.state === 'running') return { ...this.current };
    const reported = await this.claim.lastReport();
    if (!reported) return { ...this.current };
    if (reported.state === 'running' && !(await this.claim.held())) {
      return { ...reported, state: 'failed' };
    }
    return reported;
  }

  /** Starts a rebuild in the background and answers with the generation it builds. */
  async start(): Promise<RebuildStatus> {
    if (this.current.state === 'running' || !(await this.claim.hold())) throw rebuildRunning();
    const { active } = await this.generations.pointer();
    const generation = active + 1;
    this.current = {
      state: 'running',
      generation,
      events: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      eventsPerSecond: null,
    };
    await this.claim.report(this.current);
    // Renewed while it runs, with the progress so far for the other replicas.
    const renewal = setInterval(() => {
      void this.claim
        .hold()
        .then(() => this.claim.report(this.current))
        .catch(() => undefined);
    }, CLAIM_TTL_MS / 3);
    this.running = this.run(active, generation)
      .catch((error: unknown) => {
        this.current = { ...this.current, state: 'failed', finishedAt: new Date().toISOString() };
        this.logger.error({ err: String(error) }, 'inbox rebuild failed');
        return this.generations.setPointer(active, null);
      })
      .finally(async () => {
        clearInterval(renewal);
        await this.claim.report(this.current).catch(() => undefined);
        await this.claim.release().catch(() => undefined);
      });
    return { ...this.current };
  }

  /** Resolves when the running rebuild (if any) has finished. */
  async settled(): Promise<RebuildStatus> {
    await this.running;
    return this.status();
  }

  private async run(active: number, generation: number): Promise<void> {
    const started = Date.now();
    const target: Target = {
      store: this.generations.store(generation),
      live: false,
      readMarkersFrom: this.generations.store(active),
    };
    await target.store.drop();
    await target.store.ensureIndexes();
    await this.generations.setPointer(active, generation);
    await new Promise((resolve) => setTimeout(resolve, POINTER_TTL_MS * 2 + 100));
    await this.replay(target);
    await this.generations.setPointer(generation, null);
    // The generation before the previous one is no longer read by anyone.
    if (active > 1) await this.generations.store(active - 1).drop();
    const seconds = (Date.now() - started) / 1000;
    this.current = {
      ...this.current,
      state: 'done',
      finishedAt: new Date().toISOString(),
      eventsPerSecond: Math.round(this.current.events / Math.max(seconds, 0.001)),
    };
    this.logger.info({ generation, events: this.current.events }, 'inbox rebuilt');
  }

  private async replay(target: Target): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const remaining = new Map<string, bigint>();
    try {
      for (const topic of REPLAYED_TOPICS) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high) - 1n);
        }
      }
    } finally {
      await admin.disconnect();
    }
    if (remaining.size === 0) return;
    const groupId = `${this.config.kafkaConsumerGroup}.rebuild.${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, sessionTimeout: 30000 });
    this.consumer = consumer;
    let finish!: () => void;
    let fail!: (error: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    await consumer.connect();
    try {
      for (const topic of REPLAYED_TOPICS) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          try {
            const key = `${batch.topic}/${batch.partition}`;
            const end = remaining.get(key);
            const envelopes: EventEnvelope[] = [];
            let last: string | undefined;
            for (const message of batch.messages) {
              if (end === undefined || BigInt(message.offset) > end) break;
              last = message.offset;
              try {
                const envelope = fromWireRecord(message);
                if (THREAD_EVENT_TYPES.has(envelope.type) || this.progress.handles(envelope)) {
                  envelopes.push(envelope);
                }
              } catch {
                // Invalid records went to the live consumer's dead letters; a rebuild skips them.
              }
            }
            await this.applyTolerant(target, envelopes);
            this.current.events += envelopes.length;
            if (last !== undefined) {
              resolveOffset(last);
              if (BigInt(last) >= end!) remaining.delete(key);
            }
            await heartbeat();
            if (remaining.size === 0) finish();
          } catch (error) {
            fail(error);
            throw error;
          }
        },
      });
      await finished;
    } finally {
      await consumer.disconnect();
      this.consumer = undefined;
      const cleanup = this.kafka.admin();
      await cleanup.connect();
      await cleanup.deleteGroups([groupId]).catch(() => undefined);
      await cleanup.disconnect();
    }
  }

  /** A batch at once; if one of its threads is unprocessable, event by event, skipping those. */
  private async applyTolerant(target: Target, envelopes: EventEnvelope[]): Promise<void> {
    // Facts are stored as they are (nothing in them can be unprocessable).
    if (envelopes.some((envelope) => this.progress.handles(envelope))) {
      return this.progress.apply(target.store.progress, envelopes);
    }
    try {
      await this.projector.applyThreadEvents(target, envelopes);
    } catch (error) {
      if (!(error instanceof UnprocessableEvent)) throw error;
      for (const envelope of envelopes) {
        await this.projector.applyThreadEvents(target, [envelope]).catch((e: unknown) => {
          if (!(e instanceof UnprocessableEvent)) throw e;
        });
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
