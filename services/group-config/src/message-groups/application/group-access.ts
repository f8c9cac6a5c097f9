import { Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { PRIVILEGES } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { mayChangeWorkflow, mayReadWorkflow } from '../domain/group-workflow.js';
import type { MessageGroupState } from '../domain/message-group.js';
import {
  groupNotFound,
  memberNotFound,
  MessageGroupRuleViolation,
} from '../domain/message-group-errors.js';
import { mayManageOutOfOffice } from '../domain/out-of-office.js';
import { mayChangeQuickReplies, mayReadQuickReplies } from '../domain/quick-replies.js';
import {
  MessageGroupsRepository,
  type StoredGroup,
} from '../infrastructure/message-groups.repository.js';

/**
 * Who may see (`read`) and change (`edit`) a group's workflow, and its quick
 * replies: the group's members and Admins respectively (group-workflow.ts,
 * quick-replies.ts), and holders of Settings > Messages > Practice Access for
 * both, refused with the same codes. Who may see and set a
 * member's out-of-office periods: the member, the Admins of a group the
 * member belongs to (out-of-office.ts), and Practice Access holders. The
 * caller's being active and their privileges are read from the directory
 * replica on every request, membership from this service's groups. Unknown
 * and deleted groups, unknown members, and those of other practices, are 404
 * before any 403.
 */
@Injectable()
export class GroupAccess {
  constructor(
    private readonly directory: DirectoryReplica,
    private readonly groups: MessageGroupsRepository,
  ) {}

  async assertWorkflowAccess(caller: Caller, groupId: string, need: 'read' | 'edit') {
    await this.assertGroupAccess(caller, groupId, need, {
      read: mayReadWorkflow,
      edit: mayChangeWorkflow,
      readRefusal:
        "a group's workflow is seen by its members and holders of the Settings > Messages > Practice Access privilege",
      editRefusal:
        "changing a group's workflow needs being an Admin of the group or the Settings > Messages > Practice Access privilege",
    });
  }

  /** The workflow's access rule and codes, for the group's quick replies. */
  async assertQuickRepliesAccess(caller: Caller, groupId: string, need: 'read' | 'edit') {
    await this.assertGroupAccess(caller, groupId, need, {
      read: mayReadQuickReplies,
      edit: mayChangeQuickReplies,
      readRefusal:
        "a group's quick replies are seen by its members and holders of the Settings > Messages > Practice Access privilege",
      editRefusal:
        "changing a group's quick replies needs being an Admin of the group or the Settings > Messages > Practice Access privilege",
    });
  }

  private async assertGroupAccess(
    caller: Caller,
    groupId: string,
    need: 'read' | 'edit',
    rule: {
      read: (group: MessageGroupState, memberId: string) => boolean;
      edit: (group: MessageGroupState, memberId: string) => boolean;
      readRefusal: string;
      editRefusal: string;
    },
  ) {
    const group = await this.groups.find(caller.practiceId, groupId);
    if (!group) throw groupNotFound(groupId);
    const member = await this.directory.member(caller.practiceId, caller.id);
    if (member?.active) {
      if (rule[need](group.state, caller.id)) return;
      const privileges = await this.directory.privilegesOf(caller.practiceId, caller.id);
      if (privileges.has(PRIVILEGES.messageGroupsSettings)) return;
    }
    throw need === 'edit'
      ? new MessageGroupRuleViolation('group-admin-required', rule.editRefusal, 'forbidden')
      : new MessageGroupRuleViolation('group-member-required', rule.readRefusal, 'forbidden');
  }

  /**
   * Passes if the caller may see and set `memberId`'s out-of-office periods;
   * answers the practice's live groups (the rules about covers need them).
   */
  async assertOutOfOfficeAccess(caller: Caller, memberId: string): Promise<StoredGroup[]> {
    const [member, groups] = await Promise.all([
      this.directory.member(caller.practiceId, memberId),
      this.groups.list(caller.practiceId),
    ]);
    if (!member) throw memberNotFound(memberId);
    const self = await this.directory.member(caller.practiceId, caller.id);
    if (self?.active) {
      const memberships = groups.map(({ state }) => state);
      if (mayManageOutOfOffice(memberships, caller.id, memberId)) return groups;
      const privileges = await this.directory.privilegesOf(caller.practiceId, caller.id);
      if (privileges.has(PRIVILEGES.messageGroupsSettings)) return groups;
    }
    throw new MessageGroupRuleViolation(
      'out-of-office-access-required',
      "a member's out-of-office periods are seen and set by the member, an Admin of a group they belong to, and holders of the Settings > Messages > Practice Access privilege",
      'forbidden',
    );
  }
}
