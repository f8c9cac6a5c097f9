import { quickReplyOf, type QuickReply } from '../domain/quick-replies.js';
import type { StoredQuickReplies } from './quick-replies-store.js';

/** A group's quick replies in the Admins' order; never set: none, at version 0. */
export interface QuickRepliesView {
  groupId: string;
  version: number;
  quickReplies: QuickReply[];
}

export const quickRepliesView = (
  groupId: string,
  stored: StoredQuickReplies | null,
): QuickRepliesView => ({
  groupId,
  version: stored?.version ?? 0,
  quickReplies: stored ? stored.quickReplies.map(quickReplyOf) : [],
});
