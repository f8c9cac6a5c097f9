import { registeredOnce } from '@gm/messaging';
import { Counter, Histogram } from 'prom-client';

/** What a fired deadline did: the wait became overdue, a silent assignee lost the thread, or a member's out-of-office period began or ended. */
export type DeadlineKind = 'overdue' | 'return-to-queue' | 'out-of-office';

/** Seconds late, from a second to an hour: a timer catching up after downtime shows in the top buckets. */
const LATENESS = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

const lateness = registeredOnce(
  'gm_deadline_lateness_seconds',
  () =>
    new Histogram({
      name: 'gm_deadline_lateness_seconds',
      help: 'Time from a deadline (response target, return to queue) to its firing.',
      labelNames: ['kind'],
      buckets: LATENESS,
    }),
);

const fired = registeredOnce(
  'gm_deadlines_fired_total',
  () =>
    new Counter({
      name: 'gm_deadlines_fired_total',
      help: 'Deadlines fired (each once: the thread as stored decides).',
      labelNames: ['kind'],
    }),
);

const failures = registeredOnce(
  'gm_deadline_failures_total',
  () =>
    new Counter({
      name: 'gm_deadline_failures_total',
      help: 'Attempts to fire a due deadline that failed; the thread stays due and is tried again.',
    }),
);

export function deadlineFailed(): void {
  failures.inc();
}

/** Records a deadline that fired at `now`, due at `dueAt` (ISO instants). */
export function deadlineFired(kind: DeadlineKind, dueAt: string, now: string): void {
  fired.inc({ kind });
  lateness.observe({ kind }, Math.max(0, (Date.parse(now) - Date.parse(dueAt)) / 1000));
}
