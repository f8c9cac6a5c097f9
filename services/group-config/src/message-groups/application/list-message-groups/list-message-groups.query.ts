import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MessageGroupView } from '../message-group-view.js';

export class ListMessageGroupsQuery extends Query<MessageGroupView[]> {
  constructor(readonly caller: Caller) {
    super();
  }
}
