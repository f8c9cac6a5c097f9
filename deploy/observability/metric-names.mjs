/**
 * The metrics the services expose on `GET /metrics` (prom-client, text format) and that
 * deploy/observability/{alerts.yml,grafana/group-messages.json} use: one list, so that the
 * dashboard/rules test (dashboard.spec.ts) and a system test against running services
 * (every metric listed here is exposed) check the same names.
 *
 * Every series also carries the const label `service` (the service name), which is not
 * repeated in `labels`. Histograms are exposed as `<name>_bucket` (+ `le`), `<name>_sum`
 * and `<name>_count`; counters are named with their `_total` suffix here.
 *
 *   import { METRICS, DEFAULT_METRICS, SERVICES, seriesNames } from './metric-names.mjs';
 */

/** The seven services and their demo/native ports (deploy/local/demo.sh, deploy/k8s). */
export const SERVICES = [
  { name: 'practice-directory', port: 3001 },
  { name: 'group-config', port: 3002 },
  { name: 'phr-preferences', port: 3003 },
  { name: 'messaging-intake', port: 3004 },
  { name: 'routing-assignment', port: 3005 },
  { name: 'inbox-projection', port: 3006 },
  { name: 'access-audit', port: 3007 },
];

/** The const label on every series. */
export const SERVICE_LABEL = 'service';

/**
 * The project's own metrics. `services`: set only where a metric is exposed by some services
 * alone (a system test checks it there only). Which services consume Kafka, run an outbox or
 * take locks is left to them: a system test should expect those series where they exist.
 */
export const METRICS = [
  {
    name: 'gm_http_request_duration_seconds',
    type: 'histogram',
    labels: ['method', 'route', 'status'],
    help: 'HTTP request duration; route is the route template (or "unmatched"), status the code',
  },
  {
    name: 'gm_consumer_lag',
    type: 'gauge',
    labels: ['group', 'topic', 'partition'],
    help: 'Kafka consumer lag in records, per consumer group and partition',
  },
  {
    name: 'gm_consumer_event_duration_seconds',
    type: 'histogram',
    labels: ['group', 'topic', 'outcome'],
    outcomes: ['applied', 'duplicate', 'dead-lettered'],
    help: 'Time to process one consumed event, by outcome',
  },
  {
    name: 'gm_consumer_retries_total',
    type: 'counter',
    labels: ['group', 'topic'],
    help: 'Retries of a consumed event',
  },
  {
    name: 'gm_consumer_dead_letters_total',
    type: 'counter',
    labels: ['group', 'topic'],
    help: 'Consumed events sent to the dead-letter topic',
  },
  {
    name: 'gm_outbox_backlog',
    type: 'gauge',
    labels: ['collection'],
    help: 'Outbox entries not yet published',
  },
  {
    name: 'gm_outbox_oldest_age_seconds',
    type: 'gauge',
    labels: ['collection'],
    help: 'Age of the oldest unpublished outbox entry (0 when empty)',
  },
  {
    name: 'gm_outbox_publish_duration_seconds',
    type: 'histogram',
    labels: ['collection'],
    help: 'Outbox relay: time from taking a batch to acknowledged by Kafka',
  },
  {
    name: 'gm_live_feed_connections',
    type: 'gauge',
    labels: [],
    help: 'Open live-feed (SSE) connections',
    services: ['inbox-projection'],
  },
  {
    name: 'gm_lock_wait_seconds',
    type: 'histogram',
    labels: ['lock', 'outcome'],
    help: 'Time spent waiting for a lock, by lock kind and outcome (acquired or busy)',
  },
  {
    name: 'gm_deadline_lateness_seconds',
    type: 'histogram',
    labels: ['kind'],
    help: 'Time from a deadline (response target, return to queue) to its firing',
    services: ['routing-assignment'],
  },
  {
    name: 'gm_deadlines_fired_total',
    type: 'counter',
    labels: ['kind'],
    help: 'Deadlines fired, by kind (overdue, return-to-queue)',
    services: ['routing-assignment'],
  },
  {
    name: 'gm_deadline_failures_total',
    type: 'counter',
    labels: [],
    help: 'Attempts to fire a due deadline that failed (the thread stays due)',
    services: ['routing-assignment'],
  },
  {
    name: 'gm_access_record_failures_total',
    type: 'counter',
    labels: [],
    // The services that record accesses (libs/access-recording).
    services: ['messaging-intake', 'routing-assignment', 'inbox-projection'],
    help: 'Access-audit records that could not be written',
  },
];

/**
 * prom-client's default metrics (collectDefaultMetrics) that the dashboard uses; any other
 * `process_*` / `nodejs_*` name is allowed too, but these must be exposed.
 */
export const DEFAULT_METRICS = [
  { name: 'process_cpu_seconds_total', type: 'counter', labels: [] },
  { name: 'process_resident_memory_bytes', type: 'gauge', labels: [] },
  { name: 'process_start_time_seconds', type: 'gauge', labels: [] },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge', labels: [] },
  { name: 'nodejs_heap_size_total_bytes', type: 'gauge', labels: [] },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', labels: [] },
  { name: 'nodejs_eventloop_lag_mean_seconds', type: 'gauge', labels: [] },
];

/** Names Prometheus itself adds per target (scrape metadata). */
export const SCRAPE_METRICS = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/** Label names Prometheus attaches to every scraped series (target labels). */
export const TARGET_LABELS = ['job', 'instance', SERVICE_LABEL];

/** The series names one metric is exposed as. */
export function seriesNames(metric) {
  if (metric.type === 'histogram') {
    return [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
  }
  return [metric.name];
}

/** The labels a series of `metric` may carry (its own, `le` on buckets, target labels). */
export function seriesLabels(metric, series) {
  const labels = [...metric.labels, ...TARGET_LABELS];
  if (metric.type === 'histogram' && series === `${metric.name}_bucket`) labels.push('le');
  return labels;
}

/** series name → { metric, labels } for every series of METRICS and DEFAULT_METRICS. */
export function knownSeries() {
  const map = new Map();
  for (const metric of [...METRICS, ...DEFAULT_METRICS]) {
    for (const series of seriesNames(metric)) {
      map.set(series, { metric, labels: seriesLabels(metric, series) });
    }
  }
  return map;
}
