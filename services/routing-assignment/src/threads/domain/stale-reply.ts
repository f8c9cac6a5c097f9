import { ThreadRuleViolation } from './thread-errors.js';
import type { ThreadState, TimelineEntry } from './thread-state.js';

/**
 * What a member had seen of the conversation: patient messages and replies,
 * counted (the wire form is the contracts' ConversationVersion).
 */
export interface SeenConversation {
  patientMessages: number;
  replies: number;
}

/** What landed in a thread's conversation after what a member had seen: ids and times, no text. */
export interface ConversationChanges {
  patientMessages: { messageId: string; sentAt: string }[];
  replies: { replyId: string; repliedByMemberId: string | null; sentAt: string }[];
}

const isPatientMessage = (step: TimelineEntry) => step.kind === 'sent' || step.kind === 'follow-up';
const isReply = (step: TimelineEntry) => step.kind === 'replied';

/** The thread's conversation as this service knows it, counted as the inbox counts it. */
export function conversationVersionOf(thread: ThreadState): SeenConversation {
  return {
    patientMessages: thread.timeline.filter(isPatientMessage).length,
    replies: thread.timeline.filter(isReply).length,
  };
}

/**
 * The patient messages and replies beyond what was seen. The inbox may be
 * behind this service or ahead of it (both read the patient's messages):
 * only what this service holds beyond the seen counts is news.
 */
export function conversationSince(
  thread: ThreadState,
  seen: SeenConversation,
): ConversationChanges {
  return {
    patientMessages: thread.timeline
      .filter(isPatientMessage)
      .slice(seen.patientMessages)
      .map((step) => ({ messageId: String(step.details.messageId), sentAt: step.at })),
    replies: thread.timeline
      .filter(isReply)
      .slice(seen.replies)
      .map((step) => ({
        replyId: String(step.details.replyId),
        repliedByMemberId: step.actorId,
        sentAt: step.at,
      })),
  };
}

/** 409 thread-changed: the reply was written without a patient message or a reply that landed since. */
export class ThreadChanged extends ThreadRuleViolation {
  readonly extensions: { changes: ConversationChanges };

  constructor(changes: ConversationChanges) {
    super(
      'thread-changed',
      'a patient message or another reply landed since the thread was opened: read it, then reply',
      'conflict',
    );
    this.extensions = { changes };
  }
}

/**
 * Stale-reply guard: a reply carrying the conversation version its writer
 * saw is refused, and nothing sent, if the patient wrote again or someone
 * else replied meanwhile. Without one, the reply goes (clients that do not
 * show a thread before replying keep working).
 */
export function assertReplyNotStale(thread: ThreadState, seen?: SeenConversation): void {
  if (!seen) return;
  const changes = conversationSince(thread, seen);
  if (changes.patientMessages.length === 0 && changes.replies.length === 0) return;
  throw new ThreadChanged(changes);
}
