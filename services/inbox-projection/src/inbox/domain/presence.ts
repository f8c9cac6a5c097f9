/**
 * Who else is working a thread right now: members of its audience viewing
 * it or writing a reply. Staff-only and PHI-free (member ids, an activity,
 * times). A presence lives only as long as its client keeps signalling:
 * a client that disappears drops out within the time to live.
 */
export type PresenceActivity = 'viewing' | 'writing';

export const PRESENCE_ACTIVITIES: readonly PresenceActivity[] = ['viewing', 'writing'];

export interface Presence {
  memberId: string;
  activity: PresenceActivity;
  /** When the member began this activity (a heartbeat of the same activity keeps it). */
  since: string;
  /** Epoch milliseconds after which the presence no longer counts. */
  expiresAt: number;
}

/** How long a presence counts after its last signal, and how often watchers look for expiries. */
export interface PresenceTiming {
  ttlMs: number;
  sweepMs: number;
}

/** A signal from a client: its presence, and whether watchers have something new to learn. */
export function signalPresence(
  previous: Presence | undefined,
  memberId: string,
  activity: PresenceActivity,
  now: number,
  ttlMs: number,
): { presence: Presence; news: boolean } {
  const continuing =
    previous !== undefined && previous.activity === activity && previous.expiresAt > now;
  return {
    presence: {
      memberId,
      activity,
      since: continuing ? previous.since : new Date(now).toISOString(),
      expiresAt: now + ttlMs,
    },
    news: !continuing,
  };
}

/** The presences that still count, but the watcher's own, oldest first. */
export function othersPresent(all: Presence[], watcherId: string, now: number): Presence[] {
  return all
    .filter((p) => p.memberId !== watcherId && p.expiresAt > now)
    .sort((a, b) => a.since.localeCompare(b.since) || a.memberId.localeCompare(b.memberId));
}
