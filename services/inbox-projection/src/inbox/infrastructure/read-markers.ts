import { Inject, Injectable } from '@nestjs/common';
import type { InboxEntry } from '../domain/inbox-entry.js';
import { InboxSignals } from './inbox-signals.js';
import type { ProjectionStore } from './projection-store.js';
import { ThreadLocks } from './thread-locks.js';

/** What opening a thread marks read: the member's entry, or the patient's replies. */
@Injectable()
export class ReadMarkers {
  constructor(
    private readonly locks: ThreadLocks,
    @Inject(InboxSignals) private readonly signals: InboxSignals,
  ) {}

  /** The member's entry read up to its last message; counters and the member's feed follow. */
  async memberRead(store: ProjectionStore, threadId: string, entryId: string): Promise<void> {
    await this.locks.run(store, threadId, async () => {
      const current = await store.entries.findOne({ _id: entryId });
      if (!current || !current.unread) return;
      const read: InboxEntry = { ...current, readMessages: current.messageCount, unread: false };
      await store.entries.replaceOne({ _id: entryId }, read);
      await this.signals.applyDelta(store.generation, current, read);
      await this.signals.toMember(current.practiceId, current.memberId, {
        threadId,
        kind: 'upserted',
      });
    });
  }

  /** Every reply of the thread read by its patient. */
  async patientRead(store: ProjectionStore, threadId: string): Promise<void> {
    await this.locks.run(store, threadId, async () => {
      const current = await store.views.findOne({ _id: threadId });
      if (!current || current.patientReadReplies >= current.replies.length) return;
      await store.views.updateOne(
        { _id: threadId },
        { $set: { patientReadReplies: current.replies.length } },
      );
    });
  }
}
