import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { recipientList, type RecipientList } from '../../domain/recipient-policy.js';
import { RecipientFactsAdapter } from '../../infrastructure/recipient-facts.adapter.js';
import { ListRecipientsQuery } from './list-recipients.query.js';

@QueryHandler(ListRecipientsQuery)
export class ListRecipientsQueryHandler implements IQueryHandler<ListRecipientsQuery> {
  constructor(private readonly facts: RecipientFactsAdapter) {}

  async execute({ caller }: ListRecipientsQuery): Promise<RecipientList> {
    return recipientList(await this.facts.forPatient(caller.practiceId, caller.id));
  }
}
