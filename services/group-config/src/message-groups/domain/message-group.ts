import { groupDescription, groupName, groupNameKey } from './group-name.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';

export type RecipientMode = 'specific-members' | 'care-team';
export type GroupPrivilege = 'admin' | 'user';

export interface GroupMember {
  memberId: string;
  privilege: GroupPrivilege;
}

/** What Settings > Messages > Message Groups submits. */
export interface MessageGroupDraft {
  name: string;
  description?: string;
  /** null: All Facilities. */
  facilityId: string | null;
  /** null: All Patients. */
  patientCategoryId: string | null;
  recipientMode: RecipientMode;
  members: GroupMember[];
}

export interface MessageGroupState extends Required<MessageGroupDraft> {
  practiceId: string;
  groupId: string;
}

export type MemberStatus = 'active' | 'inactive' | 'unknown';

/** Facts about the practice, from the local directory replica. */
export interface PracticeFacts {
  plan: 'free' | 'paid' | null;
  facilityExists(facilityId: string): Promise<boolean>;
  patientCategoryExists(categoryId: string): Promise<boolean>;
  memberStatuses(memberIds: string[]): Promise<Map<string, MemberStatus>>;
}

export const MAX_GROUP_MEMBERS = 10;

/**
 * Checks a draft against every rule of a message group and returns the state
 * to store. Name uniqueness is enforced by the store (a unique key), so that
 * two concurrent creates cannot both win.
 */
export async function checkMessageGroup(
  practiceId: string,
  groupId: string,
  draft: MessageGroupDraft,
  facts: PracticeFacts,
): Promise<MessageGroupState> {
  if (facts.plan !== 'paid') {
    throw new MessageGroupRuleViolation(
      'paid-plan-required',
      'Group messaging is available only to practices on the paid plan',
      'payment-required',
    );
  }
  const name = groupName(draft.name);
  const description = groupDescription(draft.description);
  if (draft.facilityId !== null && !(await facts.facilityExists(draft.facilityId))) {
    throw new MessageGroupRuleViolation(
      'unknown-facility',
      `no facility ${draft.facilityId} in this practice`,
    );
  }
  if (
    draft.patientCategoryId !== null &&
    !(await facts.patientCategoryExists(draft.patientCategoryId))
  ) {
    throw new MessageGroupRuleViolation(
      'unknown-patient-category',
      `no patient category ${draft.patientCategoryId} in this practice`,
    );
  }
  const members = await checkMembers(draft, facts);
  return {
    practiceId,
    groupId,
    name,
    description,
    facilityId: draft.facilityId,
    patientCategoryId: draft.patientCategoryId,
    recipientMode: draft.recipientMode,
    members,
  };
}

async function checkMembers(
  draft: MessageGroupDraft,
  facts: PracticeFacts,
): Promise<GroupMember[]> {
  const { members, recipientMode } = draft;
  if (members.length === 0) {
    throw new MessageGroupRuleViolation(
      'group-needs-admin',
      'every group must include at least one Admin',
    );
  }
  if (members.length > MAX_GROUP_MEMBERS) {
    throw new MessageGroupRuleViolation(
      'too-many-members',
      `a group has at most ${MAX_GROUP_MEMBERS} members (got ${members.length})`,
    );
  }
  const ids = members.map((member) => member.memberId);
  if (new Set(ids).size !== ids.length) {
    throw new MessageGroupRuleViolation('duplicate-member', 'a member is listed twice');
  }
  if (recipientMode === 'care-team' && members.some((member) => member.privilege !== 'admin')) {
    throw new MessageGroupRuleViolation(
      'care-team-group-admins-only',
      "an In-house Care Team group lists only its Admins; the patient's care team receives the messages",
    );
  }
  if (!members.some((member) => member.privilege === 'admin')) {
    throw new MessageGroupRuleViolation(
      'group-needs-admin',
      'every group must include at least one Admin',
    );
  }
  const statuses = await facts.memberStatuses(ids);
  const unknown = ids.filter(
    (id) => statuses.get(id) !== 'active' && statuses.get(id) !== 'inactive',
  );
  if (unknown.length) {
    throw new MessageGroupRuleViolation(
      'unknown-member',
      `not members of this practice: ${unknown.join(', ')}`,
    );
  }
  const inactive = ids.filter((id) => statuses.get(id) === 'inactive');
  if (inactive.length) {
    throw new MessageGroupRuleViolation(
      'member-inactive',
      `deactivated members: ${inactive.join(', ')}`,
    );
  }
  return members.map(({ memberId, privilege }) => ({ memberId, privilege }));
}

export { groupNameKey };

/**
 * A group whose Admins have all been deactivated in the directory keeps its
 * configuration (ADR 0006) but needs an Admin: patients cannot pick it and
 * Settings shows the warning until an Admin edits it.
 */
export function needsAdmin(
  group: Pick<MessageGroupState, 'members'>,
  statuses: Map<string, MemberStatus>,
): boolean {
  return !group.members.some(
    (member) => member.privilege === 'admin' && statuses.get(member.memberId) === 'active',
  );
}
