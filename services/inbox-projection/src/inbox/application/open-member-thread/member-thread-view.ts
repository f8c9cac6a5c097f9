import type { RoutingKind, ThreadStatus, TimelineStep } from '../../domain/thread-view.js';

export interface MemberThreadView {
  threadId: string;
  groupId: string | null;
  routing: RoutingKind | null;
  subject: string | null;
  patient: { patientId: string; displayName: string };
  status: ThreadStatus;
  trashed: boolean;
  /** Past the group's first-response target, not replied, not in Trash. */
  overdue: boolean;
  assigneeMemberId: string | null;
  admin: boolean;
  version: number;
  /** The patient messages and replies shown, as a reply's If-Match (the stale-reply guard). */
  conversationVersion: string;
  messages: { messageId: string; body: string; sentAt: string; followUp: boolean }[];
  replies: {
    replyId: string;
    body: string;
    sentAt: string;
    senderDisplayName: string;
    repliedByMemberId: string;
  }[];
  /** The group's automatic acknowledgements: what the patient received, not replies. */
  acknowledgements: {
    acknowledgementId: string;
    messageId: string;
    body: string;
    sentAt: string;
    senderDisplayName: string;
  }[];
  /** Internal notes, oldest first: staff-only, for everyone who may open the thread. */
  notes: { noteId: string; authorMemberId: string; body: string; addedAt: string }[];
  /** For Admins and the addressee; null for everyone else. */
  timeline: {
    entries: Omit<TimelineStep, 'key'>[];
    memberNames: Record<string, string>;
  } | null;
}
