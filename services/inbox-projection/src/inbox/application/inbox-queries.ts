import { Inject, Injectable } from '@nestjs/common';
import { recordReadOrRefuse, ThreadReadRecorder, type ReadContext } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import { DirectoryReplica } from '@gm/directory-replica';
import { SettingsReplica } from '@gm/settings-replica';
import {
  DIRECT_GROUP_KEY,
  entryId,
  seesTimeline,
  type Bucket,
  type InboxEntry,
} from '../domain/inbox-entry.js';
import { accessAuditUnavailable, groupNotFound, threadNotFound } from '../domain/inbox-errors.js';
import { decodeCursor, encodeCursor, matches, pageOf } from '../domain/paging.js';
import { lastActivityAt, statusOf, type ThreadView } from '../domain/thread-view.js';
import { InboxSignals } from '../infrastructure/inbox-signals.js';
import {
  Generations,
  PAGE_INDEXES,
  type ProjectionStore,
} from '../infrastructure/projection-store.js';
import { InboxProjector, withoutId } from './inbox-projector.js';

export type MemberFilter = 'all' | Bucket;
export type MailboxBox = 'inbox' | 'unread' | 'sent';

export interface PageRequest {
  cursor?: string;
  limit: number;
  q?: string;
}

const LISTING = {
  _id: 0,
  threadId: 1,
  subject: 1,
  patientId: 1,
  patientName: 1,
  status: 1,
  trashed: 1,
  lastActivityAt: 1,
  unread: 1,
  assigneeMemberId: 1,
  audience: 1,
  sortKey: 1,
  groupKey: 1,
} as const;

/** How long a read that names a version waits for the projection to reach it. */
const READ_YOUR_WRITES_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The reads of the inbox UIs. Members read their own inbox entries (one
 * equality query per page); opening a thread needs the caller's entry, so
 * no list ever shows a thread its caller could not open. Patients read
 * their own threads, with replies under the group's name only.
 */
@Injectable()
export class InboxQueries {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    @Inject(InboxSignals) private readonly signals: InboxSignals,
    private readonly projector: InboxProjector,
    private readonly settings: SettingsReplica,
    private readonly directory: DirectoryReplica,
    private readonly reads: ThreadReadRecorder,
  ) {}

  // --- Members -----------------------------------------------------------------------------

  async myGroups(caller: Caller) {
    const store = await this.generations.active();
    const { practiceId, id: memberId } = caller;
    const [member, groups, counts] = await Promise.all([
      this.directory.member(practiceId, memberId),
      this.settings.groupsOfPractice(practiceId),
      this.signals.counts(store.generation, practiceId, memberId, () =>
        store.entries.find({ practiceId, memberId }).toArray(),
      ),
    ]);
    if (!member?.active) return { groups: [], direct: emptyCounts() };
    const listed = groups.filter((group) => {
      const membership = group.members.find((m) => m.memberId === memberId);
      return (
        membership !== undefined ||
        (group.recipientMode === 'care-team' && hasThreads(counts.get(group.groupId)))
      );
    });
    return {
      groups: listed.map((group) => {
        const c = counts.get(group.groupId);
        return {
          groupId: group.groupId,
          name: group.name,
          recipientMode: group.recipientMode,
          admin: group.members.some((m) => m.memberId === memberId && m.privilege === 'admin'),
          counts: {
            notReplied: c?.['not-replied'] ?? 0,
            replied: c?.replied ?? 0,
            trash: c?.trash ?? 0,
          },
          unread: c?.unread ?? 0,
        };
      }),
      direct: countsOf(counts.get(DIRECT_GROUP_KEY)),
    };
  }

  async groupThreads(caller: Caller, groupId: string, filter: MemberFilter, page: PageRequest) {
    const { practiceId, id: memberId } = caller;
    const group = await this.settings.group(practiceId, groupId);
    if (!group) throw groupNotFound();
    const store = await this.generations.active();
    const isMember = group.members.some((m) => m.memberId === memberId);
    if (!isMember) {
      const any = await store.entries.findOne(
        { practiceId, memberId, groupKey: groupId },
        { projection: { _id: 1 } },
      );
      if (!any) throw groupNotFound();
    }
    return this.page(store, caller, groupId, filter, page);
  }

  directThreads(caller: Caller, filter: MemberFilter, page: PageRequest) {
    return this.generations
      .active()
      .then((store) => this.page(store, caller, DIRECT_GROUP_KEY, filter, page));
  }

  private async page(
    store: ProjectionStore,
    caller: Caller,
    groupKey: string,
    filter: MemberFilter,
    { cursor, limit, q }: PageRequest,
  ) {
    const after = decodeCursor(cursor);
    const base = { practiceId: caller.practiceId, memberId: caller.id, groupKey };
    const filterDoc = filter === 'all' ? { ...base, inAll: true } : { ...base, bucket: filter };
    let entries: InboxEntry[];
    let nextCursor: string | null;
    if (q) {
      // Search cannot use the index: the member's set in this bucket is filtered here.
      const all = await store.entries.find(filterDoc, { projection: LISTING }).toArray();
      const found = all.filter((e) => matches(e.subject, q) || matches(e.patientName, q));
      ({ items: entries, nextCursor } = pageOf(found, (e) => e.sortKey, after, limit));
    } else {
      // Served whole, in order, by the index it names (ADR 0015).
      const rows = await store.entries
        .find(after ? { ...filterDoc, sortKey: { $lt: after } } : filterDoc, {
          projection: LISTING,
        })
        .sort({ sortKey: -1 })
        .limit(limit + 1)
        .hint(filter === 'all' ? PAGE_INDEXES.all : PAGE_INDEXES.byBucket)
        .toArray();
      entries = rows.slice(0, limit);
      nextCursor = rows.length > limit ? encodeCursor(entries[entries.length - 1]!.sortKey) : null;
    }
    return {
      threads: entries.map((e) => ({
        threadId: e.threadId,
        subject: e.subject,
        patient: { patientId: e.patientId, displayName: e.patientName },
        status: e.status,
        trashed: e.trashed,
        lastActivityAt: e.lastActivityAt,
        unread: e.unread,
        assigneeMemberId: e.assigneeMemberId,
      })),
      nextCursor,
    };
  }

  async memberThread(caller: Caller, threadId: string, read: ReadContext, afterVersion?: number) {
    const { practiceId, id: memberId } = caller;
    const store = await this.generations.active();
    const _id = entryId(practiceId, memberId, threadId);
    const deadline = Date.now() + (afterVersion ? READ_YOUR_WRITES_MS : 0);
    let entry = await store.entries.findOne({ _id });
    while (
      afterVersion &&
      (!entry || entry.practiceVersion < afterVersion) &&
      Date.now() < deadline
    ) {
      await sleep(50);
      entry = await store.entries.findOne({ _id });
    }
    if (!entry || entry.practiceId !== practiceId) throw threadNotFound();
    const stored = await store.views.findOne({ _id: threadId });
    if (!stored) throw threadNotFound();
    const view = withoutId(stored);
    // The caller may open it (their entry exists): recorded before it is marked read or served.
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId,
        actor: { kind: 'member', id: memberId },
        action: 'thread.read',
        threadId,
        ...read,
      },
      accessAuditUnavailable,
    );
    if (entry.unread) await this.markRead(store, view.threadId, _id);
    const timeline = seesTimeline(entry.audience) ? await this.timeline(view) : null;
    return {
      threadId,
      groupId: view.routing === 'direct' ? null : view.groupId,
      routing: view.routing,
      subject: view.subject,
      patient: { patientId: view.patientId, displayName: entry.patientName },
      status: statusOf(view),
      trashed: view.trashed,
      assigneeMemberId: view.assigneeMemberId,
      admin: entry.audience === 'admin',
      version: view.practiceVersion,
      messages: view.messages.map((m) => ({
        messageId: m.messageId,
        body: m.body,
        sentAt: m.sentAt,
        followUp: m.followUp,
      })),
      replies: view.replies.map((r) => ({
        replyId: r.replyId,
        body: r.body,
        sentAt: r.sentAt,
        senderDisplayName: r.senderDisplayName,
        repliedByMemberId: r.repliedByMemberId,
      })),
      timeline,
    };
  }

  private async markRead(store: ProjectionStore, threadId: string, _id: string): Promise<void> {
    await this.projector.locked(store, threadId, async () => {
      const current = await store.entries.findOne({ _id });
      if (!current || !current.unread) return;
      const read: InboxEntry = { ...current, readMessages: current.messageCount, unread: false };
      await store.entries.replaceOne({ _id }, read);
      await this.signals.applyDelta(store.generation, current, read);
      await this.signals.toMember(current.practiceId, current.memberId, {
        threadId,
        kind: 'upserted',
      });
    });
  }

  private async timeline(view: ThreadView) {
    const ids = view.timeline.flatMap((s) => [
      s.actorKind === 'member' ? s.actorId : null,
      typeof s.details.assigneeMemberId === 'string' ? s.details.assigneeMemberId : null,
      typeof s.details.previousAssigneeMemberId === 'string'
        ? s.details.previousAssigneeMemberId
        : null,
    ]);
    const members = await this.directory.members(
      view.practiceId,
      ids.filter((id): id is string => id !== null),
    );
    return {
      entries: view.timeline.map(({ key: _key, ...step }) => step),
      memberNames: Object.fromEntries(members.map((m) => [m.memberId, m.displayName])),
    };
  }

  // --- Patients ----------------------------------------------------------------------------

  async mailbox(caller: Caller, box: MailboxBox, page: PageRequest) {
    const { practiceId, id: patientId } = caller;
    const store = await this.generations.active();
    const [documents, names] = await Promise.all([
      store.views.find({ practiceId, patientId }).toArray(),
      this.senderNames(practiceId),
    ]);
    const views = documents.map(withoutId).filter((v) => v.messages.length > 0);
    const chosen = views.filter((v) =>
      box === 'sent'
        ? true
        : box === 'inbox'
          ? v.replies.length > 0
          : v.replies.length > v.patientReadReplies,
    );
    const items = chosen
      .map((v) => {
        const lastReply = v.replies.reduce((max, r) => (r.sentAt > max ? r.sentAt : max), '');
        const lastMessage = v.messages.reduce((max, m) => (m.sentAt > max ? m.sentAt : max), '');
        const at = box === 'sent' ? lastMessage : lastReply;
        return { view: v, name: names(v), sortKey: `${at}|${v.threadId}`, at };
      })
      .filter((item) => !page.q || matches(item.name, page.q));
    const { items: pageItems, nextCursor } = pageOf(
      items,
      (i) => i.sortKey,
      decodeCursor(page.cursor),
      page.limit,
    );
    return {
      threads: pageItems.map(({ view, name, at }) => ({
        threadId: view.threadId,
        groupName: name,
        subject: view.subject,
        lastActivityAt: at || lastActivityAt(view),
        replies: view.replies.length,
        unreadReplies: Math.max(0, view.replies.length - view.patientReadReplies),
      })),
      nextCursor,
    };
  }

  async patientThread(
    caller: Caller,
    threadId: string,
    read: ReadContext,
    afterMessageId?: string,
  ) {
    const store = await this.generations.active();
    const deadline = Date.now() + (afterMessageId ? READ_YOUR_WRITES_MS : 0);
    const mine = (v: ThreadView | null) =>
      v !== null && v.practiceId === caller.practiceId && v.patientId === caller.id;
    const load = async () => {
      const stored = await store.views.findOne({ _id: threadId });
      return stored ? withoutId(stored) : null;
    };
    let view = await load();
    while (
      afterMessageId &&
      !(mine(view) && view!.messages.some((m) => m.messageId === afterMessageId)) &&
      Date.now() < deadline
    ) {
      await sleep(50);
      view = await load();
    }
    if (!view || !mine(view) || view.messages.length === 0) throw threadNotFound();
    // The patient's own thread: recorded before it is marked read or served.
    await recordReadOrRefuse(
      this.reads,
      {
        practiceId: caller.practiceId,
        actor: { kind: 'patient', id: caller.id },
        action: 'thread.read',
        threadId,
        ...read,
      },
      accessAuditUnavailable,
    );
    const name = (await this.senderNames(caller.practiceId))(view);
    if (view.replies.length > view.patientReadReplies) {
      await this.projector.locked(store, threadId, async () => {
        const current = await store.views.findOne({ _id: threadId });
        if (!current || current.patientReadReplies >= current.replies.length) return;
        await store.views.updateOne(
          { _id: threadId },
          { $set: { patientReadReplies: current.replies.length } },
        );
      });
    }
    return {
      threadId,
      groupName: name,
      subject: view.subject,
      status: statusOf(view) === 'replied' ? 'replied' : 'awaiting-reply',
      messages: view.messages.map((m) => ({
        messageId: m.messageId,
        body: m.body,
        sentAt: m.sentAt,
      })),
      // The sender is the group (or the practice): never a member's id or name.
      replies: view.replies.map((r) => ({
        replyId: r.replyId,
        body: r.body,
        sentAt: r.sentAt,
        from: r.senderDisplayName,
      })),
    };
  }

  /** The name a patient sees for a thread's recipient: its group's, or the practice's for a direct message. */
  private async senderNames(practiceId: string): Promise<(view: ThreadView) => string> {
    const [groups, practice] = await Promise.all([
      this.settings.groupsOfPractice(practiceId),
      this.directory.practice(practiceId),
    ]);
    const byId = new Map(groups.map((g) => [g.groupId, g.name]));
    const practiceName = practice?.name ?? '';
    return (view) => {
      const lastReply = view.replies[view.replies.length - 1]?.senderDisplayName;
      if (view.addresseeMemberId !== null || view.routing === 'direct') return practiceName;
      return (view.groupId ? byId.get(view.groupId) : undefined) ?? lastReply ?? '';
    };
  }
}

const emptyCounts = () => ({ counts: { notReplied: 0, replied: 0, trash: 0 }, unread: 0 });

function countsOf(
  c: { 'not-replied': number; replied: number; trash: number; unread: number } | undefined,
) {
  if (!c) return emptyCounts();
  return {
    counts: { notReplied: c['not-replied'], replied: c.replied, trash: c.trash },
    unread: c.unread,
  };
}

const hasThreads = (c: { 'not-replied': number; replied: number; trash: number } | undefined) =>
  c !== undefined && c['not-replied'] + c.replied + c.trash > 0;
