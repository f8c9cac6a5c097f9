import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { groupNotFound } from '../../domain/message-group-errors.js';
import { MessageGroupsRepository } from '../../infrastructure/message-groups.repository.js';
import { MessageGroupViews, type MessageGroupView } from '../message-group-view.js';
import { SettingsAccess } from '../settings-access.js';
import { GetMessageGroupQuery } from './get-message-group.query.js';

@QueryHandler(GetMessageGroupQuery)
export class GetMessageGroupQueryHandler implements IQueryHandler<GetMessageGroupQuery> {
  constructor(
    private readonly access: SettingsAccess,
    private readonly groups: MessageGroupsRepository,
    private readonly views: MessageGroupViews,
  ) {}

  async execute({ caller, groupId }: GetMessageGroupQuery): Promise<MessageGroupView> {
    await this.access.assertCanManageGroups(caller);
    const group = await this.groups.find(caller.practiceId, groupId);
    if (!group) throw groupNotFound(groupId);
    const [view] = await this.views.of(caller.practiceId, [group]);
    return view!;
  }
}
