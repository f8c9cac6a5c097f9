import { Command } from '@nestjs/cqrs';
import type { ReadContext } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { PatientThreadView } from './patient-thread-view.js';

/**
 * A patient opens one of their threads: recorded in the access audit, its
 * replies marked read. `afterMessageId`: wait (bounded) until the
 * projection holds that message of theirs.
 */
export class OpenPatientThreadCommand extends Command<PatientThreadView> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly read: ReadContext,
    readonly afterMessageId?: string,
  ) {
    super();
  }
}
