import { Inject, Injectable } from '@nestjs/common';
import {
  MessageAssignedV1,
  MessageRestoredV1,
  MessageRoutedV1,
  MessageSentV1,
  MessageTrashedV1,
  MessageUnassignedV1,
  ReplySentV1,
  ThreadAudienceChangedV1,
  type EventEnvelope,
} from '@gm/contracts';
import { DirectoryReplica, oneAtATime } from '@gm/directory-replica';
import { inParallel, UnprocessableEvent, type DocumentLocks } from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { AnyBulkWriteOperation } from 'mongodb';
import { entryFor, sameEntry, type InboxEntry } from '../domain/inbox-entry.js';
import {
  applyAudience,
  applyMessage,
  applyPracticeFact,
  emptyView,
  isComplete,
  type PracticeFact,
  type ThreadView,
} from '../domain/thread-view.js';
import { InboxSignals } from '../infrastructure/inbox-signals.js';
import {
  type ProjectionStore,
  type ThreadViewDocument,
} from '../infrastructure/projection-store.js';

export const THREAD_EVENT_TYPES = new Set([
  MessageSentV1.type,
  MessageRoutedV1.type,
  MessageAssignedV1.type,
  MessageUnassignedV1.type,
  ReplySentV1.type,
  MessageTrashedV1.type,
  MessageRestoredV1.type,
  ThreadAudienceChangedV1.type,
]);

/** Where a fold's side effects go: counters and the SSE feed only for the live generation. */
export interface Target {
  store: ProjectionStore;
  live: boolean;
  /** While rebuilding: the active generation, whose read markers carry over (they are not events). */
  readMarkersFrom?: ProjectionStore;
}

const REFRESH_CONCURRENCY = 16;

function practiceFact(envelope: EventEnvelope): PracticeFact {
  const d = envelope.data as Record<string, unknown> & {
    threadVersion: number;
    occurredAt: string;
    groupId: string | null;
  };
  const base = { threadVersion: d.threadVersion, occurredAt: d.occurredAt, groupId: d.groupId };
  switch (envelope.type) {
    case MessageRoutedV1.type: {
      const e = d as unknown as MessageRoutedV1;
      return {
        ...base,
        kind: 'routed',
        patientId: e.patientId,
        routing: e.routing,
        memberId: e.memberId,
      };
    }
    case MessageAssignedV1.type: {
      const e = d as unknown as MessageAssignedV1;
      return {
        ...base,
        kind: 'assigned',
        assigneeMemberId: e.assigneeMemberId,
        previousAssigneeMemberId: e.previousAssigneeMemberId,
        byMemberId: e.assignedByMemberId,
      };
    }
    case MessageUnassignedV1.type: {
      const e = d as unknown as MessageUnassignedV1;
      return {
        ...base,
        kind: 'unassigned',
        previousAssigneeMemberId: e.previousAssigneeMemberId,
        reason: e.reason,
      };
    }
    case ReplySentV1.type: {
      const e = d as unknown as ReplySentV1;
      return {
        ...base,
        kind: 'replied',
        replyId: e.replyId,
        body: e.body,
        senderDisplayName: e.senderDisplayName,
        repliedByMemberId: e.repliedByMemberId,
      };
    }
    case MessageTrashedV1.type:
      return {
        ...base,
        kind: 'trashed',
        byMemberId: (d as unknown as MessageTrashedV1).byMemberId,
      };
    default:
      return {
        ...base,
        kind: 'restored',
        byMemberId: (d as unknown as MessageRestoredV1).byMemberId,
      };
  }
}

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
    @Inject(DOCUMENT_LOCKS) private readonly locks: DocumentLocks,
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
      this.locked(target.store, threadId, async () => {
        const stored = await target.store.views.findOne({ _id: threadId });
        const first = events[0]!.data as { practiceId: string; patientId?: string };
        const view: ThreadView = stored
          ? withoutId(stored)
          : emptyView(first.practiceId, threadId, first.patientId ?? '');
        let changed = false;
        if (!stored && target.readMarkersFrom) {
          const previous = await target.readMarkersFrom.views.findOne(
            { _id: threadId },
            { projection: { patientReadReplies: 1 } },
          );
          view.patientReadReplies = previous?.patientReadReplies ?? 0;
        }
        for (const envelope of events) changed = this.fold(view, envelope) || changed;
        if (changed) {
          await target.store.views.replaceOne({ _id: threadId }, view, { upsert: true });
          if (target.live && view.replies.length) {
            await this.signals.toPatient(view.practiceId, view.patientId, {
              threadId,
              kind: 'changed',
            });
          }
        }
        await this.refreshLocked(target, view);
      }),
    );
  }

  private fold(view: ThreadView, envelope: EventEnvelope): boolean {
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
    if (envelope.type === ThreadAudienceChangedV1.type) {
      return applyAudience(view, envelope.data as ThreadAudienceChangedV1);
    }
    return applyPracticeFact(view, practiceFact(envelope));
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
      this.locked(target.store, threadId, async () => {
        const stored = await target.store.views.findOne({ _id: threadId });
        if (stored) await this.refreshLocked(target, withoutId(stored));
      }),
    );
  }

  /**
   * Runs `work` on a thread while no other writer touches it (ADR 0004/0009):
   * queued in this process first, then under the thread's Redis lock, because
   * replicas of this service consume different partitions and a member or
   * group change on one replica recomputes threads another replica folds.
   */
  locked<T>(store: ProjectionStore, threadId: string, work: () => Promise<T>): Promise<T> {
    const key = `${store.db.databaseName}/g${store.generation}/${threadId}`;
    return oneAtATime(key, () => this.locks.exclusive(`inbox:${key}`, work));
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

export function withoutId(document: ThreadViewDocument): ThreadView {
  const { _id: _ignored, ...view } = document;
  // Views stored before audiences were published hold none yet.
  return { ...view, audience: view.audience ?? [], audienceVersion: view.audienceVersion ?? 0 };
}
