import type { QuickReply } from '../domain/quick-replies.js';

/** A group's quick replies as stored: the list in the Admins' order, its version, when it changed. */
export interface StoredQuickReplies {
  quickReplies: QuickReply[];
  /** 1 for the first list stored; 0 (no document) means never set. */
  version: number;
  changedAt: string;
}

/**
 * The port the quick-reply handlers store through (infrastructure/
 * quick-replies.repository.ts implements it on group-config's own
 * collection): one document per group, with a version for If-Match and
 * compare-and-set. Nothing is published: no other service reads templates.
 */
export abstract class QuickRepliesStore {
  /** The group's list, or null if never set. */
  abstract find(practiceId: string, groupId: string): Promise<StoredQuickReplies | null>;

  /**
   * Stores `stored` (version n + 1) if the stored version is still n (0:
   * none stored yet); false if it moved on.
   */
  abstract write(practiceId: string, groupId: string, stored: StoredQuickReplies): Promise<boolean>;
}
