import type { Observable } from 'rxjs';
import type { Presence } from '../../domain/presence.js';

/** Where the presences of a thread live while they count, shared by every replica of the service. */
export abstract class PresenceBoard {
  /** The thread's presences; some may have expired (the domain decides which count). */
  abstract presences(practiceId: string, threadId: string): Promise<Presence[]>;
  /** Keeps a member's presence; `news` tells the thread's watchers to look again. */
  abstract keep(
    practiceId: string,
    threadId: string,
    presence: Presence,
    news: boolean,
  ): Promise<void>;
  /** Drops a member's presence (they closed the thread), telling the watchers. */
  abstract drop(practiceId: string, threadId: string, memberId: string): Promise<void>;
  /** Emits whenever someone's presence on the thread was kept with news or dropped. */
  abstract news(practiceId: string, threadId: string): Observable<unknown>;
}
