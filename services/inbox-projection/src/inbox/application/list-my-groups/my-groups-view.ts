import type { GroupRecipientMode } from '@gm/contracts';

export interface BucketCounts {
  /** Per status; `overdue`: Not Replied threads past the group's first-response target. */
  counts: { notReplied: number; replied: number; trash: number; overdue: number };
  unread: number;
}

export interface MyGroupView extends BucketCounts {
  groupId: string;
  name: string;
  recipientMode: GroupRecipientMode;
  admin: boolean;
}

export interface MyGroupsView {
  groups: MyGroupView[];
  direct: BucketCounts;
}
