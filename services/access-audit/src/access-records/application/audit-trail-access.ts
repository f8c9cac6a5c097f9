import { Injectable } from '@nestjs/common';
import type { Caller } from '@gm/auth';
import { PRIVILEGES } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { assertMayReadTrail } from '../domain/access-record.js';

/** The audit privilege, read from the member's role in the directory replica on every request (ADR 0008). */
@Injectable()
export class AuditTrailAccess {
  constructor(private readonly directory: DirectoryReplica) {}

  async assertCanRead(caller: Caller): Promise<void> {
    const privileges = await this.directory.privilegesOf(caller.practiceId, caller.id);
    assertMayReadTrail(privileges, PRIVILEGES.auditRead);
  }
}
