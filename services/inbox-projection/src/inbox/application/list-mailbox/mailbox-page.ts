export interface MailboxPage {
  threads: {
    threadId: string;
    /** The group's name, or the practice's: never a member's. */
    groupName: string;
    subject: string | null;
    lastActivityAt: string;
    replies: number;
    unreadReplies: number;
  }[];
  nextCursor: string | null;
}
