import { Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { PRIVILEGES } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { PhrPreferencesRuleViolation } from '../domain/phr-preferences.js';

/** Settings > PHR Settings, read from the member's role in the directory replica on every request. */
@Injectable()
export class PhrSettingsAccess {
  constructor(private readonly directory: DirectoryReplica) {}

  async assertCanEdit(caller: Caller): Promise<void> {
    const privileges = await this.directory.privilegesOf(caller.practiceId, caller.id);
    if (!privileges.has(PRIVILEGES.phrSettings)) {
      throw new PhrPreferencesRuleViolation(
        'privilege-required',
        'PHR settings need the Settings > PHR Settings privilege',
        'forbidden',
      );
    }
  }
}
