import { Command } from '@nestjs/cqrs';
import type { ReadContext } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { AccessListingV2 } from '@gm/contracts';

/**
 * Record, in the access audit, a listing just read (it shows subjects):
 * what was listed and the ids of the threads on the page, before the page
 * is answered. The list queries stay reads; the controller runs this after
 * them.
 */
export class RecordListingCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly listing: AccessListingV2,
    readonly threadIds: readonly string[],
    readonly read: ReadContext,
  ) {
    super();
  }
}
