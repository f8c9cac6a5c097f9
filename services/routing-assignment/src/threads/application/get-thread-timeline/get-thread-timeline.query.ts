import { Query } from '@nestjs/cqrs';
import type { RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { ThreadTimelineView } from './thread-timeline-view.js';

export class GetThreadTimelineQuery extends Query<ThreadTimelineView> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly correlationId: string,
    /** Where the request came from, for the access audit. */
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
