/**
 * History: how the read side does with what is stored. Measured here on
 * whatever the world holds once the ladder is over (a few thousand
 * threads): the Admin's inbox pages, and a projection rebuild from the
 * event log (POST /admin/rebuild, polled until done).
 *
 * The real question, the same ladder over 1,000,000 stored threads, is
 * `--history-load N` (history-load.ts): N threads are written straight into
 * the stores before the ladder, a tenth of them in the Admin's Lab Services
 * group, whose pages are measured here as well. `--history-seed N` sends N
 * more threads through the API before these measurements.
 */
import { performance } from 'node:perf_hooks';
import { call } from '../system-tests/harness/http.js';
import { sleep } from '../system-tests/faults/layout.js';
import { summarize, type Summary } from './report.js';
import type { HistoryLoad } from './history-load.js';
import type { BenchWorld } from './world.js';

export interface History {
  threadsHeld: number;
  pageRequests: number;
  page: Summary;
  /** `--history-load`: what was loaded, and the Admin's pages over the loaded group. */
  loaded?: HistoryLoad & { page: Summary };
  rebuild?: {
    state: string;
    events: number;
    wallSeconds: number;
    /** As the service reports it: events over its whole run, including the pointer wait. */
    serviceEventsPerSecond: number | null;
  };
  notMeasured: string[];
}

const PAGE_LIMIT = 25;

/**
 * `requests` GETs of the Admin's Billing listing, one after the other,
 * walking the cursor to the end and starting again: first pages and deep
 * pages alike, as staff scrolling their inbox would.
 */
async function pages(world: BenchWorld, requests: number, group: string): Promise<Summary> {
  const { practiceId, groupIds } = world.practice!;
  const token = await world.tokens.member(practiceId, 'mbr_gadmin');
  const base = `${world.url('inbox-projection')}/inbox/groups/${groupIds[group]}/threads?filter=all&limit=${PAGE_LIMIT}`;
  const times: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const answer = await call(
      'GET',
      cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base,
      {
        token,
        timeoutMs: 30_000,
      },
    );
    times.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`inbox page: ${answer.status}`);
    const body = answer.json as { nextCursor: string | null };
    cursor = body.nextCursor;
  }
  return summarize(times);
}

interface RebuildStatus {
  state: string;
  events: number;
  eventsPerSecond: number | null;
}

async function rebuild(
  world: BenchWorld,
  boundMs: number,
): Promise<NonNullable<History['rebuild']>> {
  const url = `${world.url('inbox-projection')}/admin/rebuild`;
  const token = await world.tokens.operator(world.practice!.practiceId, 'ops_bench');
  const started = performance.now();
  const answer = await call('POST', url, { token });
  if (answer.status !== 202) throw new Error(`POST /admin/rebuild: ${answer.status}`);
  let status = answer.json as RebuildStatus;
  while (status.state === 'running' && performance.now() - started < boundMs) {
    await sleep(250);
    status = (await call('GET', url, { token })).json as RebuildStatus;
  }
  return {
    state: status.state,
    events: status.events,
    wallSeconds: (performance.now() - started) / 1000,
    serviceEventsPerSecond: status.eventsPerSecond,
  };
}

export async function measureHistory(
  world: BenchWorld,
  options: {
    threadsHeld: number;
    pageRequests: number;
    rebuild: boolean;
    rebuildBoundSeconds: number;
    loaded?: HistoryLoad;
  },
): Promise<History> {
  const page = await pages(world, options.pageRequests, 'billing');
  const loaded = options.loaded && {
    ...options.loaded,
    page: await pages(world, options.pageRequests, 'lab'),
  };
  const notMeasured =
    (loaded?.threads ?? 0) >= 1_000_000
      ? []
      : [
          'the ladder over 1,000,000 stored threads (--history-load 1000000)',
          'inbox page p99 over 1,000,000 threads',
        ];
  let rebuilt: History['rebuild'];
  if (options.rebuild) rebuilt = await rebuild(world, options.rebuildBoundSeconds * 1000);
  else notMeasured.push('projection rebuild (--no-rebuild)');
  notMeasured.push('projection rebuild over 1,000,000 threads');
  return {
    threadsHeld: options.threadsHeld,
    pageRequests: options.pageRequests,
    page,
    loaded,
    rebuild: rebuilt,
    notMeasured,
  };
}
