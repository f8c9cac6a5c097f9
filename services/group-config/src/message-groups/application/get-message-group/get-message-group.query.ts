import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MessageGroupView } from '../message-group-view.js';

export class GetMessageGroupQuery extends Query<MessageGroupView> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
  ) {
    super();
  }
}
