import { Command } from '@nestjs/cqrs';
import type { RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { SendOutcome, SendRequest } from '../patient-sends.js';

/** The patient writes again in their own thread. */
export class FollowUpCommand extends Command<SendOutcome> {
  constructor(
    readonly caller: Caller,
    readonly threadId: string,
    readonly body: string,
    readonly request: SendRequest,
    readonly correlationId: string,
    /** Where the send came from, for the audit trail. */
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
