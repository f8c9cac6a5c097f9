import { replyBody } from './reply-body.js';
import { assertReplyNotStale, type SeenConversation } from './stale-reply.js';
import {
  canAssign,
  canReply,
  canRestore,
  canSeeTimeline,
  canTrash,
  isAway,
  knowsThread,
  unassignmentReason,
  validAssignee,
  type AccessFacts,
  type ThreadAccess,
  type UnassignTrigger,
} from './thread-access.js';
import { sameAudience, threadAudience, type AudienceMember } from './thread-audience.js';
import {
  alreadyInTrash,
  assigneeOutOfOffice,
  directMessageNotAssignable,
  invalidAssignee,
  notGroupAdmin,
  notInTrash,
  replyNotAllowed,
  threadInTrash,
  threadNotFound,
  ThreadRuleViolation,
} from './thread-errors.js';
import { changed, entry } from './thread-change.js';
import { assigneeIsAway } from './out-of-office.js';
import type { ThreadWorkflow } from './thread-workflow.js';
import type {
  PatientMessage,
  RoutingKind,
  ThreadChange,
  ThreadState,
  TimelineEntry,
  Transition,
} from './thread-state.js';

/** The group a message was written to, as the settings replica holds it now. */
export interface RoutingGroup {
  name: string;
  recipientMode: 'specific-members' | 'care-team';
  workflow: ThreadWorkflow;
}

function route(
  thread: ThreadState,
  routing: RoutingKind,
  groupName: string | null,
  now: string,
): Transition {
  return changed(
    thread,
    { routing, groupName },
    { kind: 'routed' },
    entry('routed', 'system', null, now, {
      routing,
      groupId: thread.groupId,
      addresseeMemberId: thread.addresseeMemberId,
    }),
  );
}

/**
 * A thread's first message. A direct message goes to its addressee; a group
 * message is routed by the group's recipient mode: Specific Members (its
 * Admins, unassigned) or In-house Care Team (the patient's care team and the
 * group's Admins). A group the settings replica does not hold (yet) leaves
 * the thread waiting, seen by nobody, until the group arrives (ADR 0011).
 * `change` is null while it waits.
 */
export function openThread(
  message: PatientMessage,
  group: RoutingGroup | null,
  now: string,
): { state: ThreadState; change: ThreadChange | null } {
  const opened: ThreadState = {
    practiceId: message.practiceId,
    threadId: message.threadId,
    patientId: message.patientId,
    routing: null,
    groupId: message.recipientKind === 'group' ? message.groupId : null,
    groupName: null,
    addresseeMemberId: message.recipientKind === 'member' ? message.memberId : null,
    assigneeMemberId: null,
    status: 'not-replied',
    trashed: false,
    version: 0,
    timeline: [
      entry('sent', 'patient', message.patientId, message.sentAt, {
        messageId: message.messageId,
      }),
    ],
    messageIds: [message.messageId],
    // The group's workflow sets these once the thread is routed (thread-workflow.ts).
    awaitingSince: null,
    responseTarget: null,
    overdue: false,
    silentBy: null,
    patientContext: {
      channel: message.channel ?? 'unknown',
      facilityId: message.facilityId ?? null,
      categoryIds: [...(message.categoryIds ?? [])],
    },
  };
  if (message.recipientKind === 'member') return route(opened, 'direct', null, now);
  if (!group) return { state: opened, change: null };
  return route(opened, group.recipientMode, group.name, now);
}

/** Routes a thread that was waiting for its group; null if it is routed already. */
export function routeWaitingThread(
  thread: ThreadState,
  group: RoutingGroup,
  now: string,
): Transition | null {
  if (thread.routing !== null) return null;
  return route(thread, group.recipientMode, group.name, now);
}

/**
 * The patient wrote again: the thread is Not Replied again. No event of its
 * own (the read model reads MessageSent itself) and no version step; null
 * if this message was already taken into account. A thread in Trash leaves
 * it (MessageRestored, reason patient-follow-up): no patient message waits
 * hidden where nobody looks.
 */
export function receiveFollowUp(
  thread: ThreadState,
  message: PatientMessage,
  now: string,
): { state: ThreadState; change: ThreadChange | null } | null {
  if (thread.messageIds.includes(message.messageId)) return null;
  const followedUp: ThreadState = {
    ...thread,
    status: 'not-replied',
    messageIds: [...thread.messageIds, message.messageId],
    timeline: [
      ...thread.timeline,
      entry('follow-up', 'patient', message.patientId, message.sentAt, {
        messageId: message.messageId,
        intakeThreadVersion: message.threadVersion,
      }),
    ],
  };
  if (!thread.trashed) return { state: followedUp, change: null };
  return changed(
    followedUp,
    { trashed: false },
    {
      kind: 'restored',
      byMemberId: null,
      reason: 'patient-follow-up',
      messageId: message.messageId,
    },
    entry('restored', 'system', null, now, {
      reason: 'patient-follow-up',
      messageId: message.messageId,
    }),
  );
}

/** 404 unless the caller may learn that the thread exists. */
function assertKnown(thread: ThreadState, facts: AccessFacts, callerId: string): void {
  if (!knowsThread(thread, facts, callerId)) throw threadNotFound(thread.threadId);
}

/**
 * An Admin assigns or reassigns the thread to a valid assignee. Null when
 * the assignee already holds it (nothing changes, nothing is published).
 */
export function assignThread(
  thread: ThreadState,
  facts: AccessFacts,
  callerId: string,
  assigneeMemberId: string,
  now: string,
): Transition | null {
  assertKnown(thread, facts, callerId);
  if (thread.routing === 'direct') throw directMessageNotAssignable();
  if (!canAssign(thread, facts, callerId)) throw notGroupAdmin();
  if (thread.trashed) throw threadInTrash();
  if (!validAssignee(thread, facts, assigneeMemberId)) throw invalidAssignee(assigneeMemberId);
  if (thread.assigneeMemberId === assigneeMemberId) return null;
  if (isAway(facts, assigneeMemberId)) throw assigneeOutOfOffice(assigneeMemberId);
  const previousAssigneeMemberId = thread.assigneeMemberId;
  return changed(
    thread,
    { assigneeMemberId },
    {
      kind: 'assigned',
      assigneeMemberId,
      previousAssigneeMemberId,
      byMemberId: callerId,
      how: 'manual',
    },
    entry('assigned', 'member', callerId, now, {
      assigneeMemberId,
      previousAssigneeMemberId,
      how: 'manual',
    }),
  );
}

/**
 * What the patient sees as the sender of a reply: the group's current name,
 * never a member. A direct message is answered under the practice's name:
 * staff identities stay out of everything a patient reads (ADR 0011).
 */
export function patientFacingSender(
  thread: ThreadState,
  facts: AccessFacts,
  practiceName: string | null,
): string {
  const name = thread.routing === 'direct' ? practiceName : facts.group?.name;
  if (!name) {
    throw new ThreadRuleViolation(
      'sender-name-unavailable',
      'the name to reply under is not known yet; try again shortly',
      'unavailable',
    );
  }
  return name;
}

/** A member answers the patient; the thread becomes Replied. */
export function replyToThread(
  thread: ThreadState,
  facts: AccessFacts,
  callerId: string,
  reply: {
    replyId: string;
    body: string;
    practiceName: string | null;
    /** What the writer had seen of the conversation (If-Match); absent: no guard. */
    seen?: SeenConversation;
  },
  now: string,
): Transition {
  assertKnown(thread, facts, callerId);
  if (!canReply(thread, facts, callerId)) throw replyNotAllowed();
  if (thread.trashed) throw threadInTrash();
  assertReplyNotStale(thread, reply.seen);
  const body = replyBody(reply.body);
  const senderDisplayName = patientFacingSender(thread, facts, reply.practiceName);
  return changed(
    thread,
    {
      status: 'replied',
      groupName: thread.routing === 'direct' ? thread.groupName : senderDisplayName,
    },
    { kind: 'replied', replyId: reply.replyId, byMemberId: callerId, senderDisplayName, body },
    entry('replied', 'member', callerId, now, { replyId: reply.replyId }),
  );
}

export function trashThread(
  thread: ThreadState,
  facts: AccessFacts,
  callerId: string,
  now: string,
): Transition {
  assertKnown(thread, facts, callerId);
  if (!canTrash(thread, facts, callerId)) throw notGroupAdmin();
  if (thread.trashed) throw alreadyInTrash();
  return changed(
    thread,
    { trashed: true },
    { kind: 'trashed', byMemberId: callerId },
    entry('trashed', 'member', callerId, now),
  );
}

export function restoreThread(
  thread: ThreadState,
  facts: AccessFacts,
  callerId: string,
  now: string,
): Transition {
  assertKnown(thread, facts, callerId);
  if (!canRestore(thread, facts, callerId)) throw notGroupAdmin();
  if (!thread.trashed) throw notInTrash();
  return changed(
    thread,
    { trashed: false },
    { kind: 'restored', byMemberId: callerId, reason: 'member-restored', messageId: null },
    entry('restored', 'member', callerId, now, { reason: 'member-restored' }),
  );
}

/**
 * Whether a change of the facts leaves the thread as it is stored out of
 * date: its assignee may no longer hold it, or who may see it is no longer
 * the audience last published. Decided on the access fields alone, so a
 * change can sort a group's or a patient's threads in one read and write
 * only those it alters.
 */
export function needsReconsidering(
  thread: ThreadAccess,
  facts: AccessFacts,
  published: readonly AudienceMember[],
  trigger: UnassignTrigger,
): boolean {
  return (
    unassignmentReason(thread, facts, trigger) !== null ||
    assigneeIsAway(thread, facts) ||
    !sameAudience(threadAudience(thread, facts), published)
  );
}

/** Takes the thread from an assignee who may no longer hold it; null if they may. */
export function unassignIneligible(
  thread: ThreadState,
  facts: AccessFacts,
  trigger: UnassignTrigger,
  now: string,
): Transition | null {
  const reason = unassignmentReason(thread, facts, trigger);
  if (!reason || thread.assigneeMemberId === null) return null;
  const previousAssigneeMemberId = thread.assigneeMemberId;
  return changed(
    thread,
    { assigneeMemberId: null },
    { kind: 'unassigned', previousAssigneeMemberId, reason },
    entry('unassigned', 'system', null, now, { previousAssigneeMemberId, reason }),
  );
}

/** The progress timeline, for the group's Admins (the addressee, for a direct message). */
export function readTimeline(
  thread: ThreadState,
  facts: AccessFacts,
  callerId: string,
): readonly TimelineEntry[] {
  assertKnown(thread, facts, callerId);
  if (!canSeeTimeline(thread, facts, callerId)) throw notGroupAdmin();
  return thread.timeline;
}
