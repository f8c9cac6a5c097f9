import type { Redis } from 'ioredis';
import { DIRECT_GROUP_KEY, type InboxEntry } from '../domain/inbox-entry.js';

const countsKey = (generation: number, practiceId: string, memberId: string) =>
  `gm:inbox:g${generation}:counts:${encodeURIComponent(practiceId)}:${encodeURIComponent(memberId)}`;

export const memberChannel = (practiceId: string, memberId: string) =>
  `gm:inbox:feed:m:${encodeURIComponent(practiceId)}:${encodeURIComponent(memberId)}`;
export const patientChannel = (practiceId: string, patientId: string) =>
  `gm:inbox:feed:p:${encodeURIComponent(practiceId)}:${encodeURIComponent(patientId)}`;

/**
 * What the feed pushes: which thread changed and how; never PHI, never a
 * staff identity. `overdue` and `returned-to-queue` go to the group's Admins
 * only: the thread passed its first-response target, or its silent assignee
 * lost it back to the group's queue.
 */
export interface FeedSignal {
  threadId: string;
  kind: 'upserted' | 'removed' | 'changed' | 'overdue' | 'returned-to-queue';
}

/** Not pushed: tells every open feed of the member that the member was deactivated (the feed ends). */
export interface FeedControl {
  kind: 'member-deactivated';
}

/** What travels on a feed channel. */
export type FeedMessage = FeedSignal | FeedControl;

export const isFeedSignal = (message: FeedMessage): message is FeedSignal =>
  message.kind !== 'member-deactivated';

/** Adds deltas only to a hash that has been initialised (a missing hash is recounted on read). */
const INCREMENT_IF_INITIALISED = `
if redis.call('HEXISTS', KEYS[1], '_init') == 0 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1])) end
return 1`;

export interface GroupCounts {
  'not-replied': number;
  replied: number;
  trash: number;
  unread: number;
  overdue: number;
}

function contributions(entry: InboxEntry | undefined): Map<string, number> {
  const result = new Map<string, number>();
  if (!entry) return result;
  result.set(`${entry.groupKey}|${entry.bucket}`, 1);
  if (entry.unread && !entry.trashed) result.set(`${entry.groupKey}|unread`, 1);
  if (entry.overdue) result.set(`${entry.groupKey}|overdue`, 1);
  return result;
}

/**
 * Redis side of the read model: per-member counters per group (one hash per
 * member and generation: `<groupKey>|<bucket>`, `<groupKey>|unread` and
 * `<groupKey>|overdue`; a hash counted before targets existed has no overdue
 * field, read as 0, which it was),
 * recomputable from the entries at any time, and the pub/sub feed behind SSE.
 */
export class InboxSignals {
  constructor(private readonly redis: Redis) {}

  async applyDelta(
    generation: number,
    before: InboxEntry | undefined,
    after: InboxEntry | undefined,
  ): Promise<void> {
    const entry = after ?? before;
    if (!entry) return;
    const deltas = new Map<string, number>();
    for (const [field, n] of contributions(before)) deltas.set(field, (deltas.get(field) ?? 0) - n);
    for (const [field, n] of contributions(after)) deltas.set(field, (deltas.get(field) ?? 0) + n);
    const args = [...deltas].filter(([, n]) => n !== 0).flatMap(([f, n]) => [f, String(n)]);
    if (!args.length) return;
    await this.redis.eval(
      INCREMENT_IF_INITIALISED,
      1,
      countsKey(generation, entry.practiceId, entry.memberId),
      ...args,
    );
  }

  /** Counts per group key; `recount` supplies the entries when the hash is missing. */
  async counts(
    generation: number,
    practiceId: string,
    memberId: string,
    recount: () => Promise<InboxEntry[]>,
  ): Promise<Map<string, GroupCounts>> {
    const key = countsKey(generation, practiceId, memberId);
    let hash = await this.redis.hgetall(key);
    if (!hash._init) {
      const totals = new Map<string, number>();
      for (const entry of await recount()) {
        for (const [field, n] of contributions(entry))
          totals.set(field, (totals.get(field) ?? 0) + n);
      }
      hash = { _init: '1', ...Object.fromEntries([...totals].map(([f, n]) => [f, String(n)])) };
      await this.redis
        .multi()
        .del(key)
        .hset(key, hash)
        .expire(key, 7 * 24 * 3600)
        .exec();
    }
    const result = new Map<string, GroupCounts>();
    for (const [field, value] of Object.entries(hash)) {
      if (field === '_init') continue;
      const [groupKey, bucket] = field.split('|') as [string, keyof GroupCounts];
      const counts = result.get(groupKey) ?? {
        'not-replied': 0,
        replied: 0,
        trash: 0,
        unread: 0,
        overdue: 0,
      };
      counts[bucket] = Math.max(0, Number(value));
      result.set(groupKey, counts);
    }
    return result;
  }

  async forget(generation: number, practiceId: string, memberId: string): Promise<void> {
    await this.redis.del(countsKey(generation, practiceId, memberId));
  }

  async toMember(practiceId: string, memberId: string, signal: FeedSignal): Promise<void> {
    await this.redis.publish(memberChannel(practiceId, memberId), JSON.stringify(signal));
  }

  /** Ends the member's open feeds, in every process (the member was deactivated). */
  async memberDeactivated(practiceId: string, memberId: string): Promise<void> {
    const control: FeedControl = { kind: 'member-deactivated' };
    await this.redis.publish(memberChannel(practiceId, memberId), JSON.stringify(control));
  }

  async toPatient(practiceId: string, patientId: string, signal: FeedSignal): Promise<void> {
    await this.redis.publish(patientChannel(practiceId, patientId), JSON.stringify(signal));
  }
}

export const isDirect = (groupKey: string) => groupKey === DIRECT_GROUP_KEY;
