import { Injectable } from '@nestjs/common';
import type { InboxEntry } from '../domain/inbox-entry.js';
import {
  decodeCursor,
  encodeCursor,
  matches,
  pageOf,
  type MemberFilter,
  type PageRequest,
} from '../domain/paging.js';
import { PAGE_INDEXES, type ProjectionStore } from './projection-store.js';

const LISTING = {
  _id: 0,
  threadId: 1,
  subject: 1,
  patientId: 1,
  patientName: 1,
  status: 1,
  trashed: 1,
  overdue: 1,
  lastActivityAt: 1,
  unread: 1,
  assigneeMemberId: 1,
  audience: 1,
  sortKey: 1,
  groupKey: 1,
} as const;

/** Whose listing: a member's entries under one group key (a group's id, or direct messages). */
export interface ListingOwner {
  practiceId: string;
  memberId: string;
  groupKey: string;
}

export interface InboxPage {
  threads: {
    threadId: string;
    subject: string;
    patient: { patientId: string; displayName: string };
    status: InboxEntry['status'];
    trashed: boolean;
    overdue: boolean;
    lastActivityAt: string;
    unread: boolean;
    assigneeMemberId: string | null;
  }[];
  nextCursor: string | null;
}

/** The equality that selects a filter's entries, and the index that serves it in order. */
function listing(filter: MemberFilter) {
  if (filter === 'all') return { select: { inAll: true }, hint: PAGE_INDEXES.all };
  if (filter === 'overdue') return { select: { overdue: true }, hint: PAGE_INDEXES.overdue };
  return { select: { bucket: filter }, hint: PAGE_INDEXES.byBucket };
}

/** Pages of a member's inbox entries, newest activity first. */
@Injectable()
export class InboxPages {
  async page(
    store: ProjectionStore,
    owner: ListingOwner,
    filter: MemberFilter,
    { cursor, limit, q }: PageRequest,
  ): Promise<InboxPage> {
    const after = decodeCursor(cursor);
    const { select, hint } = listing(filter);
    const filterDoc = { ...owner, ...select };
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
        .hint(hint)
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
        // Entries written before targets existed have no flag: they were never overdue.
        overdue: e.overdue ?? false,
        lastActivityAt: e.lastActivityAt,
        unread: e.unread,
        assigneeMemberId: e.assigneeMemberId,
      })),
      nextCursor,
    };
  }

  /** Whether the member has any entry under the group key (a care-team group they are not a member of). */
  async any(store: ProjectionStore, owner: ListingOwner): Promise<boolean> {
    return (await store.entries.findOne(owner, { projection: { _id: 1 } })) !== null;
  }
}
