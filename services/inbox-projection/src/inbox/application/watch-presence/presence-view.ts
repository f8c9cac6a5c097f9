import type { PresenceActivity } from '../../domain/presence.js';

/** What a watcher of a thread is told: who else is on it, doing what, since when (staff-only, no PHI). */
export interface PresenceView {
  threadId: string;
  present: {
    memberId: string;
    displayName: string | null;
    activity: PresenceActivity;
    since: string;
  }[];
}
