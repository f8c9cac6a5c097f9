import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MemberFilter, PageRequest } from '../../domain/paging.js';
import type { InboxPage } from '../../infrastructure/inbox-pages.js';

/** A page of a group's threads the member sees. */
export class ListGroupThreadsQuery extends Query<InboxPage> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
    readonly filter: MemberFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
