import {
  isOverdue,
  lastActivityAt,
  statusOf,
  type AudienceReason,
  type ThreadStatus,
  type ThreadView,
} from './thread-view.js';

/** The status filters of a member's group view. */
export type Bucket = 'not-replied' | 'replied' | 'trash';
export const DIRECT_GROUP_KEY = 'direct';

/**
 * One thread in one member's inbox (fan-out on write). Every member query is
 * one equality filter on top-level fields, `{practiceId, memberId, groupKey,
 * bucket}`, `{…, inAll: true}` or `{…, overdue: true}`, ordered by `sortKey`
 * (MongoDB index `{practiceId, memberId, groupKey, bucket|inAll|overdue,
 * sortKey: -1}`).
 */
export interface InboxEntry {
  _id: string;
  practiceId: string;
  memberId: string;
  threadId: string;
  /** The group id, or `direct` for a message addressed to the member. */
  groupKey: string;
  /** Why the member sees the thread. */
  audience: AudienceReason;
  status: ThreadStatus;
  trashed: boolean;
  bucket: Bucket;
  inAll: boolean;
  /** Past the group's first-response target, not replied, not in Trash (absent on entries written before). */
  overdue: boolean;
  /** `${lastActivityAt}|${threadId}`: unique, descending = newest first. */
  sortKey: string;
  lastActivityAt: string;
  subject: string;
  patientId: string;
  patientName: string;
  assigneeMemberId: string | null;
  /** Patient messages in the thread; the member has read `readMessages` of them. */
  messageCount: number;
  readMessages: number;
  unread: boolean;
  practiceVersion: number;
  patientVersion: number;
}

export const entryId = (practiceId: string, memberId: string, threadId: string): string =>
  `${encodeURIComponent(practiceId)}:${encodeURIComponent(memberId)}:${threadId}`;

export const bucketOf = (status: ThreadStatus, trashed: boolean): Bucket =>
  trashed ? 'trash' : status;

/** The entry a member should hold for this thread; `readMessages` carries over from the old entry. */
export function entryFor(
  view: ThreadView,
  memberId: string,
  why: AudienceReason,
  patientName: string,
  readMessages: number,
): InboxEntry {
  const status = statusOf(view);
  const activity = lastActivityAt(view);
  const messageCount = view.messages.length;
  return {
    _id: entryId(view.practiceId, memberId, view.threadId),
    practiceId: view.practiceId,
    memberId,
    threadId: view.threadId,
    groupKey: view.routing === 'direct' ? DIRECT_GROUP_KEY : (view.groupId ?? DIRECT_GROUP_KEY),
    audience: why,
    status,
    trashed: view.trashed,
    bucket: bucketOf(status, view.trashed),
    inAll: !view.trashed,
    overdue: isOverdue(view),
    sortKey: `${activity}|${view.threadId}`,
    lastActivityAt: activity,
    subject: view.subject ?? '',
    patientId: view.patientId,
    patientName,
    assigneeMemberId: view.assigneeMemberId,
    messageCount,
    readMessages: Math.min(readMessages, messageCount),
    unread: readMessages < messageCount,
    practiceVersion: view.practiceVersion,
    patientVersion: view.patientVersion,
  };
}

/**
 * Fields that matter to a list or a counter: an entry is rewritten only when
 * one of them moved. Both sides' fields count, so an entry stored before a
 * field existed is rewritten with it.
 */
export function sameEntry(a: InboxEntry, b: InboxEntry): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof InboxEntry)[]);
  return [...fields].every((k) => a[k] === b[k]);
}

/** Admins and the addressee also see the progress timeline. */
export const seesTimeline = (why: AudienceReason): boolean =>
  why === 'admin' || why === 'addressee';
