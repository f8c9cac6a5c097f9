import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { AccessOutcome, AccessRecord } from '../../domain/access-record.js';

export interface AccessRecordsPage {
  records: AccessRecord[];
  nextCursor: string | null;
}

export interface AccessRecordsCriteria {
  threadId?: string;
  actorId?: string;
  action?: string;
  outcome?: AccessOutcome;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

export class ListAccessRecordsQuery extends Query<AccessRecordsPage> {
  constructor(
    readonly caller: Caller,
    readonly criteria: AccessRecordsCriteria,
  ) {
    super();
  }
}
