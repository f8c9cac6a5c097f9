import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MessageGroupsRepository } from '../../infrastructure/message-groups.repository.js';
import { MessageGroupViews, type MessageGroupView } from '../message-group-view.js';
import { SettingsAccess } from '../settings-access.js';
import { ListMessageGroupsQuery } from './list-message-groups.query.js';

@QueryHandler(ListMessageGroupsQuery)
export class ListMessageGroupsQueryHandler implements IQueryHandler<ListMessageGroupsQuery> {
  constructor(
    private readonly access: SettingsAccess,
    private readonly groups: MessageGroupsRepository,
    private readonly views: MessageGroupViews,
  ) {}

  async execute({ caller }: ListMessageGroupsQuery): Promise<MessageGroupView[]> {
    await this.access.assertCanManageGroups(caller);
    return this.views.of(caller.practiceId, await this.groups.list(caller.practiceId));
  }
}
