import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MyGroupsView } from './my-groups-view.js';

/** The member's groups with their counts, and their direct messages' counts. */
export class ListMyGroupsQuery extends Query<MyGroupsView> {
  constructor(readonly caller: Caller) {
    super();
  }
}
