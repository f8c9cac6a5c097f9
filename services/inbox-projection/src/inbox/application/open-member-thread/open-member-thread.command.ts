import { Command } from '@nestjs/cqrs';
import type { ReadContext } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { MemberThreadView } from './member-thread-view.js';

/**
 * A member opens a thread: recorded in the access audit, marked read for
 * them, and answered as they may see it. `afterVersion`: wait (bounded)
 * until the projection holds that practice version of the thread.
 */
export class OpenMemberThreadCommand extends Command<MemberThreadView> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly read: ReadContext,
    readonly afterVersion?: number,
  ) {
    super();
  }
}
