import { Command } from '@nestjs/cqrs';
import type { PatientMessage } from '../../domain/thread-state.js';
import type { Cause } from '../thread-events.js';

/** routed: a new thread went to its recipients; waiting-for-group: a new thread waits for its group. */
export type Reception = 'routed' | 'waiting-for-group' | 'follow-up' | 'duplicate';

/** A MessageSent from the intake: the first message of a thread, or a follow-up. */
export class ReceivePatientMessageCommand extends Command<Reception> {
  constructor(
    readonly message: PatientMessage,
    readonly cause: Cause,
  ) {
    super();
  }
}
