import { Command } from '@nestjs/cqrs';
import type { RequestOrigin } from '@gm/access-recording';
import type { Caller } from '@gm/auth';
import type { Recipient } from '../../domain/recipient-policy.js';
import type { SendOutcome, SendRequest } from '../patient-sends.js';

/** A patient's first message to a group or a member: opens a thread. */
export class StartThreadCommand extends Command<SendOutcome> {
  constructor(
    readonly caller: Caller,
    readonly recipient: Recipient,
    readonly subject: string,
    readonly body: string,
    readonly request: SendRequest,
    readonly correlationId: string,
    /** Where the send came from, for the audit trail. */
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
