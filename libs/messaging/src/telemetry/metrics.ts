import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * The plumbing's Prometheus metrics, in the process's default registry
 * (service-kit serves it on `/metrics` with a `service` label). Labels are
 * bounded: consumer groups, topics, partitions, collections, lock kinds and
 * outcomes; never a practice, member, thread or event id (ADR 0020).
 */
/**
 * The metric of that name in the default registry, made once: a module
 * loaded twice in one process (tests, several apps) must not register it
 * again, which prom-client refuses.
 */
export function registeredOnce<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const consumerLag = registeredOnce(
  'gm_consumer_lag',
  () =>
    new Gauge({
      name: 'gm_consumer_lag',
      help: "Records of a partition not yet committed by the consumer group (latest offset minus the group's committed offset).",
      labelNames: ['group', 'topic', 'partition'],
    }),
);

/** `skipped`: a newer version of a known event, committed past unapplied (ADR 0023). */
export type ConsumerOutcome = 'applied' | 'duplicate' | 'dead-lettered' | 'skipped';

export const consumerEventDuration = registeredOnce(
  'gm_consumer_event_duration_seconds',
  () =>
    new Histogram({
      name: 'gm_consumer_event_duration_seconds',
      help: "Time to handle one consumed event, retries included; in a batch, the batch's time shared out over its events.",
      labelNames: ['group', 'topic', 'outcome'],
      buckets: SECONDS,
    }),
);

export const consumerRetries = registeredOnce(
  'gm_consumer_retries_total',
  () =>
    new Counter({
      name: 'gm_consumer_retries_total',
      help: 'Handling attempts of an event that failed and were retried.',
      labelNames: ['group', 'topic'],
    }),
);

export const consumerDeadLetters = registeredOnce(
  'gm_consumer_dead_letters_total',
  () =>
    new Counter({
      name: 'gm_consumer_dead_letters_total',
      help: "Events sent to the consumer group's dead-letter topic.",
      labelNames: ['group', 'topic'],
    }),
);

export const outboxBacklog = registeredOnce(
  'gm_outbox_backlog',
  () =>
    new Gauge({
      name: 'gm_outbox_backlog',
      help: 'Events written to an outbox and not yet published (from the relay holding the lease).',
      labelNames: ['collection'],
    }),
);

export const outboxOldestAge = registeredOnce(
  'gm_outbox_oldest_age_seconds',
  () =>
    new Gauge({
      name: 'gm_outbox_oldest_age_seconds',
      help: 'Age of the oldest event the relay found waiting in an outbox; 0 when it is empty.',
      labelNames: ['collection'],
    }),
);

export const outboxPublishDuration = registeredOnce(
  'gm_outbox_publish_duration_seconds',
  () =>
    new Histogram({
      name: 'gm_outbox_publish_duration_seconds',
      help: 'Time from sending a batch of outbox events to Kafka until every broker in sync acknowledged it.',
      labelNames: ['collection'],
      buckets: SECONDS,
    }),
);

export const lockWait = registeredOnce(
  'gm_lock_wait_seconds',
  () =>
    new Histogram({
      name: 'gm_lock_wait_seconds',
      help: "Time a writer waited for a document's lock (kind: the collection), including waits that gave up.",
      labelNames: ['lock', 'outcome'],
      buckets: SECONDS,
    }),
);
