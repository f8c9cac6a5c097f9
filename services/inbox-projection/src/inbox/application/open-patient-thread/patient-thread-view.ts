/** What a patient reads of a thread: the sender of a reply is the group (or the practice), never a member. */
export interface PatientThreadView {
  threadId: string;
  groupName: string;
  subject: string | null;
  status: 'replied' | 'awaiting-reply';
  messages: { messageId: string; body: string; sentAt: string }[];
  replies: { replyId: string; body: string; sentAt: string; from: string }[];
}
