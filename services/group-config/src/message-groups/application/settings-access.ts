import { Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { PRIVILEGES } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { MessageGroupRuleViolation } from '../domain/message-group-errors.js';

/**
 * Settings > Messages > Practice Access, read from the member's role in the
 * local directory replica on every request: a role change takes effect as
 * soon as its event arrives, with no new token.
 */
@Injectable()
export class SettingsAccess {
  constructor(private readonly directory: DirectoryReplica) {}

  async assertCanManageGroups(caller: Caller): Promise<void> {
    const privileges = await this.directory.privilegesOf(caller.practiceId, caller.id);
    if (!privileges.has(PRIVILEGES.messageGroupsSettings)) {
      throw new MessageGroupRuleViolation(
        'privilege-required',
        'managing message groups needs the Settings > Messages > Practice Access privilege',
        'forbidden',
      );
    }
  }
}
