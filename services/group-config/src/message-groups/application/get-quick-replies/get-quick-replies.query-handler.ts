import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { GroupAccess } from '../group-access.js';
import { QuickRepliesStore } from '../quick-replies-store.js';
import { quickRepliesView, type QuickRepliesView } from '../quick-replies-view.js';
import { GetQuickRepliesQuery } from './get-quick-replies.query.js';

@QueryHandler(GetQuickRepliesQuery)
export class GetQuickRepliesQueryHandler implements IQueryHandler<GetQuickRepliesQuery> {
  constructor(
    private readonly access: GroupAccess,
    private readonly store: QuickRepliesStore,
  ) {}

  async execute({ caller, groupId }: GetQuickRepliesQuery): Promise<QuickRepliesView> {
    await this.access.assertQuickRepliesAccess(caller, groupId, 'read');
    return quickRepliesView(groupId, await this.store.find(caller.practiceId, groupId));
  }
}
