/**
 * What the practice sent the patient: a reply, or (`automatic`) the group's
 * automatic acknowledgement, whose id is the acknowledgement's. The sender is
 * the group (or the practice), never a member.
 */
export interface PatientReplyView {
  replyId: string;
  body: string;
  sentAt: string;
  from: string;
  automatic: boolean;
}

/** What a patient reads of a thread. */
export interface PatientThreadView {
  threadId: string;
  groupName: string;
  subject: string | null;
  /** An acknowledgement answers nothing: the thread awaits a reply until one comes. */
  status: 'replied' | 'awaiting-reply';
  messages: { messageId: string; body: string; sentAt: string }[];
  /** Replies and acknowledgements, oldest first. */
  replies: PatientReplyView[];
}
