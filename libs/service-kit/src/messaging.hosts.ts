import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import {
  ALL_TOPICS,
  deadLetterTopic,
  isEvent,
  ReactionsPublishedV1,
  REACTORS,
  TOPICS,
  type EventEnvelope,
  type Reactor,
} from '@gm/contracts';
import {
  ensureTopics,
  EventConsumer,
  MongoProcessedEvents,
  OutboxRelay,
  Reactions,
  RedisLease,
  type BatchHandler,
  type ConsumerProgress,
  type DocumentLocks,
  type EventHandler,
  type Logger,
} from '@gm/messaging';
import type { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import type { InfrastructureConfig } from './config.js';
import { ConsistencyReads } from './consistency.js';
import { DOCUMENT_LOCKS, INFRASTRUCTURE_CONFIG, KAFKA, PLUMBING_LOGGER, REDIS } from './tokens.js';

export const OUTBOX_COLLECTIONS = Symbol('OUTBOX_COLLECTIONS');
export const EVENT_SUBSCRIPTION = Symbol('EVENT_SUBSCRIPTION');

/** What a service consumes; its consumer group is `KAFKA_CONSUMER_GROUP` (the service name by default). */
export interface EventSubscription {
  topics: string[];
  handler: EventHandler;
  /** Applies a partition's fetched events together (see BatchHandler). */
  batchHandler?: BatchHandler;
  /**
   * True when every write of the handlers is version-checked (a repeat
   * changes nothing): no dedupe store, and no lookup and write of it per
   * event.
   */
  idempotent?: boolean;
  /**
   * Set when the service writes events of its own in reaction to those it
   * consumes (REACTORS): it then reports what it applied of each HTTP
   * write on gm.consistency once its reactions are published (ADR 0018).
   */
  reactor?: Reactor;
}

const idempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({ idempotent: true, maxInFlightRequests: 1 });

async function ensureAllTopics(kafka: Kafka, config: InfrastructureConfig, extra: string[] = []) {
  await ensureTopics(
    kafka,
    [...ALL_TOPICS, ...extra.map((name) => ({ name, compacted: false, partitions: 1, phi: true }))],
    {
      replicationFactor: config.kafkaReplicationFactor,
      minInsyncReplicas: config.kafkaMinInsyncReplicas,
    },
  );
}

/** Runs the service's outbox relay for as long as the application runs. */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private relay?: OutboxRelay;
  private producer?: Producer;
  private reactions?: Reactions;

  constructor(
    @Inject(OUTBOX_COLLECTIONS) private readonly collections: string[],
    @InjectConnection() private readonly connection: Connection,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(DOCUMENT_LOCKS) private readonly locks: DocumentLocks,
    @Inject(PLUMBING_LOGGER) private readonly logger: Logger,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
    @Optional() @Inject(EVENT_SUBSCRIPTION) private readonly subscription?: EventSubscription,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureAllTopics(this.kafka, this.config);
    this.producer = idempotentProducer(this.kafka);
    await this.producer.connect();
    const reactor = this.subscription?.reactor;
    if (reactor) this.reactions = reactionsOf(this.connection, this.kafka, reactor);
    this.relay = new OutboxRelay({
      collections: this.collections.map((name) => this.connection.collection(name)),
      producer: this.producer,
      // One publisher per outbox, i.e. per database: the replicas of one deployment share it.
      lease: new RedisLease(
        this.redis,
        `gm:outbox-lease:${this.config.serviceName}:${this.config.mongoDatabase}`,
        randomUUID(),
        10_000,
      ),
      locks: this.locks,
      logger: this.logger,
      pollIntervalMs: 250,
      reactions: this.reactions,
    });
    this.relay.start();
  }

  /** Called after a command appended events, so they leave without waiting for a poll. */
  nudge(): void {
    this.relay?.nudge();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.reactions?.close();
    await this.producer?.disconnect();
  }
}

/** How long applied event ids are kept for dedupe, and how often older ones are forgotten. */
export const PROCESSED_EVENTS_RETENTION_MS = 7 * 24 * 3600_000;
const PROCESSED_EVENTS_PRUNE_EVERY_MS = 3600_000;

/**
 * Runs the service's event consumer for as long as the application runs,
 * and keeps its dedupe store bounded (FerretDB has no TTL index): every
 * hour, and once at start, ids older than the retention are forgotten.
 */
@Injectable()
export class EventConsumerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: EventConsumer;
  private deadLetters?: Producer;
  private pruning?: NodeJS.Timeout;

  constructor(
    @Inject(EVENT_SUBSCRIPTION) private readonly subscription: EventSubscription,
    @InjectConnection() private readonly connection: Connection,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PLUMBING_LOGGER) private readonly logger: Logger,
    @Inject(INFRASTRUCTURE_CONFIG) private readonly config: InfrastructureConfig,
    @Inject(ConsistencyReads) private readonly consistency: ConsistencyReads,
    @Optional() @Inject(OutboxRelayHost) private readonly relay?: OutboxRelayHost,
  ) {
    consistency.consumes(subscription.topics);
  }

  get stats() {
    return this.consumer?.stats;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { handler, batchHandler, idempotent, reactor } = this.subscription;
    const groupId = this.config.kafkaConsumerGroup;
    // Reports of the services that react into topics read here (ADR 0018).
    const reports = REACTORS.some((r) => r.into.some((t) => this.subscription.topics.includes(t)));
    const topics = reports
      ? [...this.subscription.topics, TOPICS.consistency.name]
      : this.subscription.topics;
    await ensureAllTopics(this.kafka, this.config, [deadLetterTopic(groupId)]);
    this.deadLetters = idempotentProducer(this.kafka);
    await this.deadLetters.connect();
    const processed = idempotent
      ? undefined
      : new MongoProcessedEvents(this.connection.collection('processed_events'));
    this.consumer = new EventConsumer({
      kafka: this.kafka,
      groupId,
      topics,
      handler: reports ? this.takingReports(handler) : handler,
      batchHandler: reports && batchHandler ? this.takingReportBatches(batchHandler) : batchHandler,
      processed,
      progress: this.progress(reactor),
      deadLetters: this.deadLetters,
      logger: this.logger,
      sessionTimeoutMs: this.config.kafkaSessionTimeoutMs,
      partitionsConcurrency: this.config.kafkaPartitionsConcurrency,
    });
    await this.consumer.start();
    if (!processed) return;
    const prune = () =>
      processed
        .forget(new Date(Date.now() - PROCESSED_EVENTS_RETENTION_MS))
        .catch((error: unknown) =>
          this.logger.warn({ err: String(error) }, 'pruning processed events failed'),
        );
    void prune();
    this.pruning = setInterval(prune, PROCESSED_EVENTS_PRUNE_EVERY_MS).unref();
  }

  /** Records what was applied; a reacting service also keeps it to report (ADR 0018). */
  private progress(reactor: Reactor | undefined): ConsumerProgress {
    const applied = this.consistency.progress;
    const reactions = reactor ? reactionsOf(this.connection, this.kafka, reactor) : undefined;
    return {
      applied: async (topic, partition, envelopes, nextOffset) => {
        if (reactions && envelopes.some((envelope) => envelope.writeId)) {
          await reactions.record(topic, envelopes);
          this.relay?.nudge();
        }
        await applied.applied(topic, partition, envelopes, nextOffset);
      },
    };
  }

  private takeReport(envelope: EventEnvelope): Promise<void> {
    return this.consistency.progress.reactionsPublished(
      envelope.source,
      envelope.data as ReactionsPublishedV1,
    );
  }

  private takingReports(handler: EventHandler): EventHandler {
    return (envelope, context) =>
      isEvent(envelope, ReactionsPublishedV1)
        ? this.takeReport(envelope)
        : handler(envelope, context);
  }

  /** A batch is of one partition of one topic: all reports (gm.consistency) or none. */
  private takingReportBatches(batchHandler: BatchHandler): BatchHandler {
    return async (envelopes) => {
      if (!envelopes.every((envelope) => isEvent(envelope, ReactionsPublishedV1))) {
        return batchHandler(envelopes);
      }
      for (const envelope of envelopes) await this.takeReport(envelope);
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    await this.consumer?.stop();
    await this.deadLetters?.disconnect();
  }
}

const reactionsOf = (connection: Connection, kafka: Kafka, reactor: Reactor): Reactions =>
  new Reactions(connection.collection(Reactions.collectionName) as never, {
    source: reactor.source,
    into: reactor.into,
    kafka,
  });

export const outboxRelayProviders = (collections: string[]): Provider[] => [
  { provide: OUTBOX_COLLECTIONS, useValue: collections },
  OutboxRelayHost,
];
