import type { GroupRecipientMode } from '@gm/contracts';

export interface BucketCounts {
  counts: { notReplied: number; replied: number; trash: number };
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
