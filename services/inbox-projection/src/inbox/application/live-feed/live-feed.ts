import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { DirectoryReplica } from '@gm/directory-replica';
import { filter, takeWhile, type Observable } from 'rxjs';
import { memberInactive } from '../../domain/inbox-errors.js';
import { FeedHub } from '../../infrastructure/feed-hub.js';
import {
  isFeedSignal,
  memberChannel,
  patientChannel,
  type FeedMessage,
  type FeedSignal,
} from '../../infrastructure/inbox-signals.js';

/**
 * The caller's live feed. A member must be an active member of the practice
 * in the directory replica when the feed opens (403 `member-inactive`
 * otherwise, ADR 0006: a deactivated member has no rights), and the feed
 * ends when the projection applies the member's deactivation (the consumer
 * publishes `member-deactivated` on the member's channel).
 */
@Injectable()
export class LiveFeed {
  constructor(
    @Inject(FeedHub) private readonly hub: FeedHub,
    private readonly directory: DirectoryReplica,
  ) {}

  /**
   * Throws 403 `member-inactive` for a member the replica does not hold as
   * active. Called before the stream opens (a guard: once an SSE answer has
   * started, no problem+json can be sent any more).
   */
  async mayOpen(caller: Caller): Promise<void> {
    if (caller.actor !== 'member') return;
    const member = await this.directory.member(caller.practiceId, caller.id);
    if (!member?.active) throw memberInactive();
  }

  /** The caller's signals; a member's end with the member's deactivation. */
  open(caller: Caller): Observable<FeedSignal> {
    if (caller.actor === 'patient') {
      return this.hub
        .signals<FeedMessage>(patientChannel(caller.practiceId, caller.id))
        .pipe(filter(isFeedSignal));
    }
    // A deactivation applied before the channel listened is read from the replica instead.
    const stillActive = async (): Promise<FeedMessage | null> =>
      (await this.directory.member(caller.practiceId, caller.id))?.active
        ? null
        : { kind: 'member-deactivated' };
    return this.hub
      .signals<FeedMessage>(memberChannel(caller.practiceId, caller.id), stillActive)
      .pipe(
        takeWhile((message) => message.kind !== 'member-deactivated'),
        filter(isFeedSignal),
      );
  }
}
