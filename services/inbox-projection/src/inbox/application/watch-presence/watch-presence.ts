import { Inject, Injectable } from '@nestjs/common';
import { recordReadOrRefuse, ThreadReadRecorder, type ReadContext } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import { DirectoryReplica } from '@gm/directory-replica';
import {
  concatMap,
  distinctUntilChanged,
  filter,
  interval,
  map,
  merge,
  of,
  takeUntil,
  type Observable,
} from 'rxjs';
import { accessAuditUnavailable } from '../../domain/inbox-errors.js';
import { othersPresent, type PresenceTiming } from '../../domain/presence.js';
import { FeedHub } from '../../infrastructure/feed-hub.js';
import { memberChannel, type FeedMessage } from '../../infrastructure/inbox-signals.js';
import { PresenceAccess } from '../presence/presence-access.js';
import { PresenceBoard } from '../presence/presence-board.port.js';
import { PRESENCE_TIMING } from '../presence/presence-timing.js';
import type { PresenceView } from './presence-view.js';

/**
 * A member watching who else works a thread. Opening the watch is checked
 * (the thread's audience only) and audited; the watch then tells of every
 * change: news from a colleague's client at once, an expiry at the next
 * sweep. It ends when the member leaves the thread's audience or is
 * deactivated (the projection says so on the member's feed channel).
 */
@Injectable()
export class WatchPresence {
  constructor(
    private readonly access: PresenceAccess,
    @Inject(PresenceBoard) private readonly board: PresenceBoard,
    @Inject(PRESENCE_TIMING) private readonly timing: PresenceTiming,
    @Inject(FeedHub) private readonly hub: FeedHub,
    private readonly directory: DirectoryReplica,
    private readonly reads: ThreadReadRecorder,
  ) {}

  /** Before the stream opens (once an SSE answer has started, no problem+json can be sent). */
  async mayWatch(caller: Caller, threadId: string, read: ReadContext): Promise<void> {
    await this.access.assertInAudience(caller, threadId);
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId: caller.practiceId,
        actor: { kind: 'member', id: caller.id },
        action: 'thread.presence.read',
        threadId,
        ...read,
      },
      accessAuditUnavailable,
    );
  }

  watch({ practiceId, id: watcherId }: Caller, threadId: string): Observable<PresenceView> {
    const accessLost = this.hub
      .signals<FeedMessage>(memberChannel(practiceId, watcherId))
      .pipe(
        filter(
          (m) =>
            m.kind === 'member-deactivated' || (m.kind === 'removed' && m.threadId === threadId),
        ),
      );
    return merge(
      of(null),
      this.board.news(practiceId, threadId),
      interval(this.timing.sweepMs),
    ).pipe(
      concatMap(() => this.board.presences(practiceId, threadId)),
      map((all) =>
        othersPresent(all, watcherId, Date.now()).map(({ memberId, activity, since }) => ({
          memberId,
          activity,
          since,
        })),
      ),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
      concatMap(async (present) => {
        const names = new Map(
          (
            await this.directory.members(
              practiceId,
              present.map((p) => p.memberId),
            )
          ).map((m) => [m.memberId, m.displayName]),
        );
        return {
          threadId,
          present: present.map((p) => ({ ...p, displayName: names.get(p.memberId) ?? null })),
        };
      }),
      takeUntil(accessLost),
    );
  }
}
