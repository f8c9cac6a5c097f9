import {
  ContractViolation,
  deadLetterTopic,
  fromWireRecord,
  UnknownEventVersion,
  type EventEnvelope,
} from '@gm/contracts';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from '../logger.js';
import {
  consumerDeadLetters,
  consumerEventDuration,
  consumerRetries,
  type ConsumerOutcome,
} from '../telemetry/metrics.js';
import { inBatchSpans, inConsumerSpan } from '../telemetry/tracing.js';
import { ConsumerLagProbe } from './consumer-lag.js';
import { isTransient, UnprocessableEvent } from './errors.js';
import type { ProcessedEvents } from './processed-events.js';

export interface EventContext {
  topic: string;
  partition: number;
  offset: string;
}

export type EventHandler = (envelope: EventEnvelope, context: EventContext) => Promise<void>;

/**
 * Applies events of one partition together, in their order (bulk writes,
 * one read of what several events touch). It must leave the same state as
 * the event handler applied to each in turn: when it throws, the consumer
 * takes the events one at a time instead, with retries and dead letters.
 */
export type BatchHandler = (envelopes: EventEnvelope[]) => Promise<void>;

/** Told of what the consumer applied, before the offsets may be committed (ADR 0018). */
export interface ConsumerProgress {
  /** `envelopes` of a partition are applied (or were already), and it is applied up to `nextOffset`. */
  applied(
    topic: string,
    partition: number,
    envelopes: EventEnvelope[],
    nextOffset: number,
  ): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts for an unexpected (non-infrastructure) error before dead-lettering. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface EventConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  handler: EventHandler;
  /** When given, the events a fetch brings are applied together, up to `maxBatch` at a time. */
  batchHandler?: BatchHandler;
  /** Events per batch handler call; default 200. */
  maxBatch?: number;
  /**
   * Ids of the events applied already, looked up before and written after
   * each. Left out when the handlers are idempotent on their own
   * (version-checked upserts): a repeat then costs nothing but its check.
   */
  processed?: ProcessedEvents;
  /** Producer for the dead-letter topic. */
  deadLetters: Producer;
  progress?: ConsumerProgress;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Group session timeout; default 30 s. Heartbeats go at a third of it, at most every 3 s. */
  sessionTimeoutMs?: number;
  /** Partitions handled at once, each in its own order; default 1. */
  partitionsConcurrency?: number;
  /** How often the group's lag is measured for `/metrics`; default 15 s. */
  lagIntervalMs?: number;
}

export interface ConsumerStats {
  applied: number;
  duplicates: number;
  deadLettered: number;
  /** Records of a known event at a version this build does not know (a newer one): committed past, not applied. */
  skipped: number;
  retries: number;
}

class Stopping extends Error {}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5000 };

/**
 * A Kafka consumer that applies each event once in effect: it validates the
 * envelope, skips event ids already applied, retries what may pass, sends
 * what never will to the group's dead-letter topic, and lets an offset be
 * committed only after the handler's writes (or the dead letter) are durable.
 * A newer version of an event it knows (UnknownEventVersion) is skipped:
 * counted and committed past, never dead-lettered (ADR 0023).
 */
export class EventConsumer {
  readonly stats: ConsumerStats = {
    applied: 0,
    duplicates: 0,
    deadLettered: 0,
    skipped: 0,
    retries: 0,
  };
  private readonly retry: RetryPolicy;
  private readonly consumer: Consumer;
  private readonly lag: ConsumerLagProbe;
  private running = false;

  constructor(private readonly options: EventConsumerOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30000) / 3)),
    });
    this.lag = new ConsumerLagProbe(
      options.kafka,
      options.groupId,
      options.topics,
      options.logger,
      options.lagIntervalMs,
    );
  }

  get deadLetterTopic(): string {
    return deadLetterTopic(this.options.groupId);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      // From the beginning: a new consumer group rebuilds its replica from the compacted topics.
      await this.consumer.subscribe({ topic, fromBeginning: true });
    }
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      autoCommitThreshold: 100,
      partitionsConsumedConcurrently: this.options.partitionsConcurrency ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }) => {
        const messages = batch.messages;
        const size = this.options.batchHandler ? (this.options.maxBatch ?? 200) : 1;
        for (let start = 0; start < messages.length; start += size) {
          if (!this.running || !isRunning() || isStale()) break;
          const chunk = messages.slice(start, start + size);
          const last = chunk[chunk.length - 1]!.offset;
          try {
            const applied =
              chunk.length === 1
                ? [await this.process(batch.topic, batch.partition, chunk[0]!, heartbeat)]
                : await this.processTogether(batch.topic, batch.partition, chunk, heartbeat);
            await this.options.progress?.applied(
              batch.topic,
              batch.partition,
              applied.filter((envelope) => envelope !== undefined),
              Number(last) + 1,
            );
          } catch (error) {
            if (error instanceof Stopping) break;
            throw error;
          }
          // Only now may these offsets be committed: the effects are durable.
          resolveOffset(last);
          await commitOffsetsIfNecessary();
        }
        await commitOffsetsIfNecessary();
      },
    });
    this.lag.start();
  }

  /** Stops fetching, lets the current event finish, commits, disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    await this.lag.stop();
    await this.consumer.disconnect();
  }

  /**
   * Several events of one partition through the batch handler (a record
   * that is not a contract is dead-lettered first, one of a newer version
   * skipped); if the handler fails
   * (an event it cannot take, a store that is down), each event is taken on
   * its own, so that a failure retries or dead-letters that event only.
   */
  private async processTogether(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<(EventEnvelope | undefined)[]> {
    const envelopes: EventEnvelope[] = [];
    const valid: KafkaMessage[] = [];
    for (const message of messages) {
      try {
        envelopes.push(fromWireRecord(message));
        valid.push(message);
      } catch (error) {
        const context = { topic, partition, offset: message.offset };
        if (error instanceof UnknownEventVersion) this.skip(context, error);
        else if (error instanceof ContractViolation) {
          await this.deadLetter(context, message, error.message);
        } else throw error;
      }
    }
    const started = performance.now();
    try {
      const processed = this.options.processed;
      const seen = processed
        ? await Promise.all(envelopes.map((envelope) => processed.has(envelope.id)))
        : [];
      const fresh = envelopes.filter((_, i) => !seen[i]);
      if (fresh.length) {
        await inBatchSpans(fresh, topic, this.options.groupId, () =>
          this.options.batchHandler!(fresh),
        );
      }
      if (processed) await Promise.all(fresh.map((envelope) => processed.remember(envelope.id)));
      this.stats.applied += fresh.length;
      this.stats.duplicates += envelopes.length - fresh.length;
      const each = (performance.now() - started) / 1000 / Math.max(envelopes.length, 1);
      this.observe(topic, 'applied', each, fresh.length);
      this.observe(topic, 'duplicate', each, envelopes.length - fresh.length);
      return envelopes;
    } catch (error) {
      this.options.logger.warn(
        { err: describe(error), topic, partition, events: envelopes.length },
        'batch handling failed; taking its events one at a time',
      );
      return this.oneByOne(topic, partition, valid, heartbeat);
    }
  }

  private async oneByOne(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<(EventEnvelope | undefined)[]> {
    const applied: (EventEnvelope | undefined)[] = [];
    for (const message of messages) {
      if (!this.running) throw new Stopping();
      applied.push(await this.process(topic, partition, message, heartbeat));
    }
    return applied;
  }

  /** Applies one event; answers it when applied (or applied before), nothing when dead-lettered or skipped. */
  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<EventEnvelope | undefined> {
    const context: EventContext = { topic, partition, offset: message.offset };
    let envelope: EventEnvelope;
    try {
      envelope = fromWireRecord(message);
    } catch (error) {
      if (error instanceof UnknownEventVersion) {
        this.skip(context, error);
        return undefined;
      }
      if (!(error instanceof ContractViolation)) throw error;
      await this.deadLetter(context, message, error.message);
      return undefined;
    }

    const started = performance.now();
    const outcome = (kind: ConsumerOutcome) =>
      this.observe(topic, kind, (performance.now() - started) / 1000);
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.options.processed?.has(envelope.id)) {
          this.stats.duplicates++;
          outcome('duplicate');
          return envelope;
        }
        await inConsumerSpan(envelope, topic, this.options.groupId, () =>
          this.options.handler(envelope, context),
        );
        await this.options.processed?.remember(envelope.id);
        this.stats.applied++;
        outcome('applied');
        return envelope;
      } catch (error) {
        if (error instanceof UnprocessableEvent) {
          await this.deadLetter(context, message, error.message);
          outcome('dead-lettered');
          return undefined;
        }
        const transient = isTransient(error);
        if (!transient && attempt >= this.retry.attempts) {
          const reason = `failed after ${attempt} attempts: ${describe(error)}`;
          await this.deadLetter(context, message, reason);
          outcome('dead-lettered');
          return undefined;
        }
        this.stats.retries++;
        consumerRetries.inc({ group: this.options.groupId, topic });
        this.options.logger.warn(
          { err: describe(error), eventId: envelope.id, type: envelope.type, attempt, transient },
          'event handling failed; retrying',
        );
        await this.backoff(attempt, heartbeat);
      }
    }
  }

  private observe(topic: string, outcome: ConsumerOutcome, seconds: number, count = 1): void {
    const histogram = consumerEventDuration.labels(this.options.groupId, topic, outcome);
    for (let i = 0; i < count; i++) histogram.observe(seconds);
  }

  private async backoff(attempt: number, heartbeat: () => Promise<void>): Promise<void> {
    const delay = Math.min(this.retry.initialDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs);
    const until = Date.now() + delay;
    while (Date.now() < until) {
      if (!this.running) throw new Stopping();
      await sleep(Math.min(500, until - Date.now()));
      await heartbeat();
    }
  }

  /**
   * A newer version of a known event: nothing to apply, and nothing wrong
   * with it (an older version of the same fact is published beside it).
   * Logged by type and offset only, never its data.
   */
  private skip(context: EventContext, error: UnknownEventVersion): void {
    this.stats.skipped++;
    this.observe(context.topic, 'skipped', 0);
    this.options.logger.info(
      { ...context, type: error.type, knownVersions: error.knownVersions },
      'event of a version this build does not know skipped',
    );
  }

  private async deadLetter(
    context: EventContext,
    message: KafkaMessage,
    reason: string,
  ): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      'x-dead-letter-reason': reason.slice(0, 2000),
      'x-dead-letter-source-topic': context.topic,
      'x-dead-letter-source-partition': String(context.partition),
      'x-dead-letter-source-offset': context.offset,
      'x-dead-letter-consumer-group': this.options.groupId,
      'x-dead-letter-at': new Date().toISOString(),
    };
    await this.options.deadLetters.send({
      topic: this.deadLetterTopic,
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    this.stats.deadLettered++;
    consumerDeadLetters.inc({ group: this.options.groupId, topic: context.topic });
    // The reason names the rule broken, never the event's data (PHI stays out of logs).
    this.options.logger.error({ ...context, reason }, 'event dead-lettered');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
