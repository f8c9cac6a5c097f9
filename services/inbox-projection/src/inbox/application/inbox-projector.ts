import { Inject, Injectable } from '@nestjs/common';
import {
  MessageAssignedV1,
  MessageRestoredV1,
  MessageRoutedV1,
  MessageSentV1,
  MessageTrashedV1,
  MessageUnassignedV1,
  ReplySentV1,
  type EventEnvelope,
  type PatientChangedV1,
} from '@gm/contracts';
import { DIRECTORY_ENTITIES, DirectoryReplica, oneAtATime } from '@gm/directory-replica';
import { inParallel, UnprocessableEvent, type DocumentLocks } from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import { SettingsReplica } from '@gm/settings-replica';
import type { AnyBulkWriteOperation } from 'mongodb';
import { entryFor, sameEntry, type InboxEntry } from '../domain/inbox-entry.js';
import {
  applyMessage,
  applyPracticeFact,
  emptyView,
  isComplete,
  type PracticeFact,
  type ThreadView,
} from '../domain/thread-view.js';
import { audience, type AccessFacts } from '../domain/visibility.js';
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
 * inbox entries of exactly the members who may see it now. Every change of
 * a thread, a group, a member or a care team ends in `refresh`, which
 * recomputes the thread's audience from the replicas and writes only the
 * difference (bulk), so the outcome never depends on which event came first.
 */
@Injectable()
export class InboxProjector {
  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
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
    return applyPracticeFact(view, practiceFact(envelope));
  }

  /** Recomputes the audience of every thread matching an equality filter (a group's, a patient's…). */
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

  /** Threads whose audience a member's change can alter: theirs, their groups', their patients'. */
  async refreshForMember(target: Target, practiceId: string, memberId: string): Promise<void> {
    const { store } = target;
    const [entries, assigned, addressed, groups, patients] = await Promise.all([
      store.entries.find({ practiceId, memberId }, { projection: { threadId: 1 } }).toArray(),
      store.views
        .find({ practiceId, assigneeMemberId: memberId }, { projection: { _id: 1 } })
        .toArray(),
      store.views
        .find({ practiceId, addresseeMemberId: memberId }, { projection: { _id: 1 } })
        .toArray(),
      this.settings.groupsOfPractice(practiceId),
      // The replica lists patients only by id; a member change is rare, so this scans the practice's patients.
      store.db
        .collection<PatientChangedV1>(DIRECTORY_ENTITIES.patients.collection)
        .find({ practiceId })
        .toArray(),
    ]);
    const ids = [
      ...entries.map((e) => e.threadId),
      ...assigned.map((v) => v._id),
      ...addressed.map((v) => v._id),
    ];
    for (const group of groups) {
      if (group.members.some((m) => m.memberId === memberId)) {
        const views = await store.views
          .find({ practiceId, groupId: group.groupId }, { projection: { _id: 1 } })
          .toArray();
        ids.push(...views.map((v) => v._id));
      }
    }
    for (const patient of patients) {
      if (patient.careTeamMemberIds.includes(memberId)) {
        const views = await store.views
          .find({ practiceId, patientId: patient.patientId }, { projection: { _id: 1 } })
          .toArray();
        ids.push(...views.map((v) => v._id));
      }
    }
    await this.refreshThreads(target, ids);
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

  async facts(view: ThreadView): Promise<{ facts: AccessFacts; patientName: string }> {
    const { practiceId } = view;
    const [group, patient] = await Promise.all([
      view.groupId && view.routing !== 'direct'
        ? this.settings.group(practiceId, view.groupId)
        : Promise.resolve(null),
      this.directory.patient(practiceId, view.patientId),
    ]);
    const careTeam = view.routing === 'care-team' ? (patient?.careTeamMemberIds ?? []) : [];
    const concerned = [
      ...(group?.members.map((m) => m.memberId) ?? []),
      ...careTeam,
      view.assigneeMemberId,
      view.addresseeMemberId,
    ].filter((id): id is string => typeof id === 'string');
    const members = await this.directory.members(practiceId, concerned);
    return {
      facts: {
        group: group
          ? { name: group.name, recipientMode: group.recipientMode, members: group.members }
          : null,
        careTeamMemberIds: careTeam,
        activeMemberIds: new Set(members.filter((m) => m.active).map((m) => m.memberId)),
      },
      patientName: patient?.displayName ?? '',
    };
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
    if (isComplete(view)) {
      const { facts, patientName } = await this.facts(view);
      for (const [memberId, why] of audience(view, facts)) {
        const old = before.get(memberId);
        const read = old?.readMessages ?? markers.get(memberId) ?? 0;
        after.set(memberId, entryFor(view, memberId, why, patientName, read));
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
  return view;
}
