import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { OutOfOfficeRepository } from '../../infrastructure/out-of-office.repository.js';
import { GroupAccess } from '../group-access.js';
import { outOfOfficeView, type OutOfOfficeView } from '../out-of-office-view.js';
import { GetOutOfOfficeQuery } from './get-out-of-office.query.js';

@QueryHandler(GetOutOfOfficeQuery)
export class GetOutOfOfficeQueryHandler implements IQueryHandler<GetOutOfOfficeQuery> {
  constructor(
    private readonly access: GroupAccess,
    private readonly outOfOffice: OutOfOfficeRepository,
  ) {}

  async execute({ caller, memberId }: GetOutOfOfficeQuery): Promise<OutOfOfficeView> {
    await this.access.assertOutOfOfficeAccess(caller, memberId);
    const stored = await this.outOfOffice.find(caller.practiceId, memberId);
    return outOfOfficeView(memberId, stored, new Date());
  }
}
