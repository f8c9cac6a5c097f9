import { Injectable } from '@nestjs/common';
import { needsAdmin, type GroupPrivilege, type RecipientMode } from '../domain/message-group.js';
import type { StoredGroup } from '../infrastructure/message-groups.repository.js';
import { PracticeFactsAdapter } from '../infrastructure/practice-facts.adapter.js';

export interface MessageGroupView {
  groupId: string;
  name: string;
  description: string;
  facilityId: string | null;
  patientCategoryId: string | null;
  recipientMode: RecipientMode;
  members: {
    memberId: string;
    displayName: string | null;
    privilege: GroupPrivilege;
    active: boolean;
  }[];
  /** All Admins deactivated: patients cannot pick the group until an Admin is set (ADR 0006). */
  needsAdmin: boolean;
  version: number;
}

/** Settings' view of groups: members with their names and whether they are still active. */
@Injectable()
export class MessageGroupViews {
  constructor(private readonly facts: PracticeFactsAdapter) {}

  async of(practiceId: string, groups: StoredGroup[]): Promise<MessageGroupView[]> {
    const ids = [...new Set(groups.flatMap((group) => group.state.members.map((m) => m.memberId)))];
    const [statuses, names] = await Promise.all([
      this.facts.memberStatuses(practiceId, ids),
      this.facts.displayNames(practiceId, ids),
    ]);
    return groups.map(({ state, version }) => ({
      groupId: state.groupId,
      name: state.name,
      description: state.description,
      facilityId: state.facilityId,
      patientCategoryId: state.patientCategoryId,
      recipientMode: state.recipientMode,
      members: state.members.map((member) => ({
        memberId: member.memberId,
        displayName: names.get(member.memberId) ?? null,
        privilege: member.privilege,
        active: statuses.get(member.memberId) === 'active',
      })),
      needsAdmin: needsAdmin(state, statuses),
      version,
    }));
  }
}
