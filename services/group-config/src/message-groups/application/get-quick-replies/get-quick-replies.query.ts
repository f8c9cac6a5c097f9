import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { QuickRepliesView } from '../quick-replies-view.js';

export class GetQuickRepliesQuery extends Query<QuickRepliesView> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
  ) {
    super();
  }
}
