import { Inject, Injectable } from '@nestjs/common';
import {
  AcknowledgementSentV1,
  MessageAssignedV1,
  MessageAssignedV2,
  MessageResponseOverdueV1,
  MessageRestoredV1,
  MessageRestoredV2,
  MessageRoutedV1,
  MessageSentV1,
  MessageTrashedV1,
  MessageUnassignedV1,
  MessageUnassignedV2,
  NoteAddedV1,
  ReplySentV1,
  ThreadAudienceChangedV1,
  ThreadAudienceChangedV2,
  type EventEnvelope,
} from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { inParallel, UnprocessableEvent } from '@gm/messaging';
import type { AnyBulkWriteOperation } from 'mongodb';
import { adminAlerts, listedOverdue, type AdminAlert } from '../../domain/admin-alerts.js';
import { entryFor, sameEntry, type InboxEntry } from '../../domain/inbox-entry.js';
import {
  applyAudience,
  applyMessage,
  applyNote,
  applyPracticeFact,
  emptyView,
  isComplete,
  type AudienceMember,
  type PracticeFact,
  type ThreadView,
} from '../../domain/thread-view.js';
import { InboxSignals, type FeedSignal } from '../../infrastructure/inbox-signals.js';
import { withoutId, type ProjectionStore } from '../../infrastructure/projection-store.js';
import { ThreadLocks } from '../../infrastructure/thread-locks.js';
import { practiceFact } from './practice-fact.js';

export const THREAD_EVENT_TYPES = new Set([
  MessageSentV1.type,
  MessageRoutedV1.type,
  MessageAssignedV1.type,
  MessageAssignedV2.type,
  MessageUnassignedV1.type,
  MessageUnassignedV2.type,
  ReplySentV1.type,
  MessageTrashedV1.type,
  MessageRestoredV1.type,
  MessageRestoredV2.type,
  MessageResponseOverdueV1.type,
  AcknowledgementSentV1.type,
  ThreadAudienceChangedV1.type,
  ThreadAudienceChangedV2.type,
  // Staff-only (gm.thread-notes); folded under the same lock, no version.
  NoteAddedV1.type,
]);

/** Where a fold's side effects go: counters and the SSE feed only for the live generation. */
export interface Target {
  store: ProjectionStore;
  live: boolean;
  /** While rebuilding: the active generation, whose read markers carry over (they are not events). */
  readMarkersFrom?: ProjectionStore;
}

const REFRESH_CONCURRENCY = 16;

/**
 * Folds thread events into `thread_views` and fans each thread out to the
 * inbox entries of exactly its audience, as routing-assignment published it
 * (ThreadAudienceChanged, ADR 0016): who sees a thread is never decided
 * here. Every change ends in `refresh`, which writes only the difference
 * (bulk), so the outcome never depends on which event came first.
 */
@Injectable()
export class InboxProjector {
  constructor(
    private readonly directory: DirectoryReplica,
    @Inject(InboxSignals) private readonly signals: InboxSignals,
    private readonly locks: ThreadLocks,
  ) {}

  /**
   * Applies thread events (one, or a rebuild's batch) to a store: events of
   * one thread are folded together under the thread's in-process lock, read
   * and written once, then the thread is refreshed once.
   */
  async applyThreadEvents(target: Target, envelopes: EventEnvelope[]): Promise<void> {
    const byThread = new Map<string, EventEnvelope[]>();
    for (const envelope of envelopes) {
      const threadId = (envelope.data as { threadId: string }).threadId;
      byThread.set(threadId, [...(byThread.get(threadId) ?? []), envelope]);
    }
    await inParallel([...byThread], REFRESH_CONCURRENCY, ([threadId, events]) =>
      this.locks.run(target.store, threadId, async () => {
        const stored = await target.store.views.findOne({ _id: threadId });
        const first = events[0]!.data as { practiceId: string; patientId?: string };
        const view: ThreadView = stored
          ? withoutId(stored)
          : emptyView(first.practiceId, threadId, first.patientId ?? '');
        let changed = false;
        // Whether anything but a note changed: a note is nothing to the patient, not even a signal.
        let beyondNotes = false;
        if (!stored && target.readMarkersFrom) {
          const previous = await target.readMarkersFrom.views.findOne(
            { _id: threadId },
            { projection: { patientReadReplies: 1 } },
          );
          view.patientReadReplies = previous?.patientReadReplies ?? 0;
        }
        const wasOverdue = listedOverdue(view);
        const notesBefore = view.notes.length;
        const folded: PracticeFact[] = [];
        for (const envelope of events) {
          const applied = this.fold(view, envelope, folded);
          changed ||= applied;
          beyondNotes ||= applied && envelope.type !== NoteAddedV1.type;
        }
        if (changed) {
          await target.store.views.replaceOne({ _id: threadId }, view, { upsert: true });
          // The patient has something from the practice to read (a reply or an acknowledgement).
          const forPatient = view.replies.length || view.acknowledgements.length;
          if (target.live && beyondNotes && forPatient) {
            await this.signals.toPatient(view.practiceId, view.patientId, {
              threadId,
              kind: 'changed',
            });
          }
        }
        await this.refreshLocked(target, view);
        // After the entries: an Admin who follows the signal finds the thread as it says.
        if (target.live) await this.alertAdmins(view, adminAlerts(wasOverdue, view, folded));
        // A new note: whoever has the thread open may fetch it again (no PHI in the signal).
        if (target.live && view.notes.length > notesBefore && isComplete(view)) {
          await this.signalMembers(view, view.audience, 'changed');
        }
      }),
    );
  }

  /** Tells the thread's Admins (in its audience) what happened to it: ids only. */
  private async alertAdmins(view: ThreadView, alerts: AdminAlert[]): Promise<void> {
    const admins = view.audience.filter((m) => m.reason === 'admin');
    await Promise.all(alerts.map((kind) => this.signalMembers(view, admins, kind)));
  }

  private async signalMembers(
    view: ThreadView,
    members: readonly AudienceMember[],
    kind: FeedSignal['kind'],
  ): Promise<void> {
    await Promise.all(
      members.map(({ memberId }) =>
        this.signals.toMember(view.practiceId, memberId, { threadId: view.threadId, kind }),
      ),
    );
  }

  /** Folds one event; a practice-side fact that changed the view is added to `folded`. */
  private fold(view: ThreadView, envelope: EventEnvelope, folded: PracticeFact[]): boolean {
    const data = envelope.data as { practiceId: string; patientId?: string };
    if (data.practiceId !== view.practiceId) {
      throw new UnprocessableEvent('thread id belongs to another practice');
    }
    if (data.patientId !== undefined) {
      if (view.patientId === '') view.patientId = data.patientId;
      else if (view.patientId !== data.patientId) {
        throw new UnprocessableEvent('thread id belongs to another patient');
      }
    }
    if (envelope.type === MessageSentV1.type) {
      const m = envelope.data as MessageSentV1;
      return applyMessage(view, { ...m });
    }
    if (envelope.type === NoteAddedV1.type) {
      const { noteId, authorMemberId, body, addedAt } = envelope.data as NoteAddedV1;
      return applyNote(view, { noteId, authorMemberId, body, addedAt });
    }
    // v2 adds the reason `cover`; the whole audience replaces the last either way.
    if (
      envelope.type === ThreadAudienceChangedV1.type ||
      envelope.type === ThreadAudienceChangedV2.type
    ) {
      return applyAudience(view, envelope.data as ThreadAudienceChangedV2);
    }
    const fact = practiceFact(envelope);
    if (!applyPracticeFact(view, fact)) return false;
    folded.push(fact);
    return true;
  }

  /** Rewrites the entries of every thread matching an equality filter (a patient's, for a new name). */
  async refreshWhere(target: Target, filter: Record<string, string>): Promise<void> {
    const ids = await target.store.views.find(filter, { projection: { _id: 1 } }).toArray();
    await this.refreshThreads(
      target,
      ids.map((d) => d._id),
    );
  }

  async refreshThreads(target: Target, threadIds: string[]): Promise<void> {
    await inParallel([...new Set(threadIds)], REFRESH_CONCURRENCY, (threadId) =>
      this.locks.run(target.store, threadId, async () => {
        const stored = await target.store.views.findOne({ _id: threadId });
        if (stored) await this.refreshLocked(target, withoutId(stored));
      }),
    );
  }

  /** Makes the thread's entries those of its audience now (call under the thread's lock). */
  async refreshLocked(target: Target, view: ThreadView): Promise<void> {
    const { store, live } = target;
    const existing = await store.entries.find({ threadId: view.threadId }).toArray();
    const before = new Map(
      existing.filter((e) => e.practiceId === view.practiceId).map((e) => [e.memberId, e]),
    );
    const markers = new Map(
      target.readMarkersFrom
        ? (await target.readMarkersFrom.entries.find({ threadId: view.threadId }).toArray()).map(
            (e) => [e.memberId, e.readMessages] as const,
          )
        : [],
    );
    const after = new Map<string, InboxEntry>();
    if (isComplete(view) && view.audience.length) {
      const patientName =
        (await this.directory.patient(view.practiceId, view.patientId))?.displayName ?? '';
      for (const { memberId, reason } of view.audience) {
        const old = before.get(memberId);
        const read = old?.readMessages ?? markers.get(memberId) ?? 0;
        after.set(memberId, entryFor(view, memberId, reason, patientName, read));
      }
    }
    const operations: AnyBulkWriteOperation<InboxEntry>[] = [];
    const changes: { memberId: string; before?: InboxEntry; after?: InboxEntry }[] = [];
    for (const [memberId, entry] of after) {
      const old = before.get(memberId);
      if (old && sameEntry(old, entry)) continue;
      operations.push({
        replaceOne: { filter: { _id: entry._id }, replacement: entry, upsert: true },
      });
      changes.push({ memberId, before: old, after: entry });
    }
    for (const [memberId, old] of before) {
      if (after.has(memberId)) continue;
      operations.push({ deleteOne: { filter: { _id: old._id } } });
      changes.push({ memberId, before: old });
    }
    if (!operations.length) return;
    await store.entries.bulkWrite(operations, { ordered: false });
    if (!live) return;
    await Promise.all(
      changes.map(async (change) => {
        await this.signals.applyDelta(store.generation, change.before, change.after);
        await this.signals.toMember(view.practiceId, change.memberId, {
          threadId: view.threadId,
          kind: change.after ? 'upserted' : 'removed',
        });
      }),
    );
  }
}
