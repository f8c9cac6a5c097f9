import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DIRECT_GROUP_KEY } from '../../domain/inbox-entry.js';
import { InboxPages, type InboxPage } from '../../infrastructure/inbox-pages.js';
import { Generations } from '../../infrastructure/projection-store.js';
import { ListDirectThreadsQuery } from './list-direct-threads.query.js';

@QueryHandler(ListDirectThreadsQuery)
export class ListDirectThreadsQueryHandler implements IQueryHandler<ListDirectThreadsQuery> {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    private readonly pages: InboxPages,
  ) {}

  async execute({ caller, filter, page }: ListDirectThreadsQuery): Promise<InboxPage> {
    const store = await this.generations.active();
    const owner = {
      practiceId: caller.practiceId,
      memberId: caller.id,
      groupKey: DIRECT_GROUP_KEY,
    };
    return this.pages.page(store, owner, filter, page);
  }
}
