import { Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { PRIVILEGES } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { SettingsReplica } from '@gm/settings-replica';
import {
  assertMayReadGroupReport,
  assertMayReadPracticeReport,
  type ReportReader,
} from '../domain/report-access.js';
import type { ReportScope } from '../domain/progress-report.js';

/** Decides, from the local replicas, whether the caller may read a report of the scope. */
@Injectable()
export class ReportReaders {
  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
  ) {}

  async assertMayRead(caller: Caller, scope: ReportScope): Promise<void> {
    const { practiceId, id: memberId } = caller;
    const [member, privileges] = await Promise.all([
      this.directory.member(practiceId, memberId),
      this.directory.privilegesOf(practiceId, memberId),
    ]);
    const reader: ReportReader = {
      memberId,
      active: member?.active === true,
      practiceAccess: privileges.has(PRIVILEGES.messageGroupsSettings),
    };
    if (scope.kind === 'practice') return assertMayReadPracticeReport(reader);
    const group = await this.settings.group(practiceId, scope.groupId);
    assertMayReadGroupReport(reader, group);
  }
}
