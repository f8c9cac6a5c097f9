import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SettingsReplica } from '@gm/settings-replica';
import { groupNotFound } from '../../domain/inbox-errors.js';
import { InboxPages, type InboxPage } from '../../infrastructure/inbox-pages.js';
import { Generations } from '../../infrastructure/projection-store.js';
import { ListGroupThreadsQuery } from './list-group-threads.query.js';

/**
 * A group's listing is open to its members, and to whoever sees one of its
 * threads through a patient's care team; to anyone else the group does not
 * exist (404), like a group that is not there.
 */
@QueryHandler(ListGroupThreadsQuery)
export class ListGroupThreadsQueryHandler implements IQueryHandler<ListGroupThreadsQuery> {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    private readonly settings: SettingsReplica,
    private readonly pages: InboxPages,
  ) {}

  async execute({ caller, groupId, filter, page }: ListGroupThreadsQuery): Promise<InboxPage> {
    const { practiceId, id: memberId } = caller;
    const group = await this.settings.group(practiceId, groupId);
    if (!group) throw groupNotFound();
    const store = await this.generations.active();
    const owner = { practiceId, memberId, groupKey: groupId };
    const isMember = group.members.some((m) => m.memberId === memberId);
    if (!isMember && !(await this.pages.any(store, owner))) throw groupNotFound();
    return this.pages.page(store, owner, filter, page);
  }
}
