import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MemberFilter, PageRequest } from '../../domain/paging.js';
import type { InboxPage } from '../../infrastructure/inbox-pages.js';

/** A page of the patient messages addressed to the member personally. */
export class ListDirectThreadsQuery extends Query<InboxPage> {
  constructor(
    readonly caller: Caller,
    readonly filter: MemberFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
