import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { ThreadTimelineView } from './thread-timeline-view.js';

export class GetThreadTimelineQuery extends Query<ThreadTimelineView> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
  ) {
    super();
  }
}
