import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { auditWindow, decodeCursor } from '../../domain/access-record.js';
import { AccessRecordsRepository } from '../../infrastructure/access-records.repository.js';
import { AuditTrailAccess } from '../audit-trail-access.js';
import { ListAccessRecordsQuery, type AccessRecordsPage } from './list-access-records.query.js';

/** The caller's practice's records (the token's practice only), newest first, for auditors. */
@QueryHandler(ListAccessRecordsQuery)
export class ListAccessRecordsQueryHandler implements IQueryHandler<ListAccessRecordsQuery> {
  constructor(
    private readonly access: AuditTrailAccess,
    private readonly records: AccessRecordsRepository,
  ) {}

  async execute({ caller, criteria }: ListAccessRecordsQuery): Promise<AccessRecordsPage> {
    await this.access.assertCanRead(caller);
    const window = auditWindow(criteria.from, criteria.to, new Date());
    const cursor = decodeCursor(criteria.cursor);
    return this.records.page(
      caller.practiceId,
      {
        threadId: criteria.threadId,
        actorId: criteria.actorId,
        action: criteria.action,
        outcome: criteria.outcome,
      },
      window,
      cursor,
      criteria.limit,
    );
  }
}
