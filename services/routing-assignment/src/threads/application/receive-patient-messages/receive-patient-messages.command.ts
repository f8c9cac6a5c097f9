import { Command } from '@nestjs/cqrs';
import type { PatientMessage } from '../../domain/thread-state.js';
import type { Cause } from '../thread-events.js';

/**
 * Consecutive MessageSent of one partition, in their order. Returns how
 * many threads were opened together (the rest went one at a time).
 */
export class ReceivePatientMessagesCommand extends Command<number> {
  constructor(readonly messages: { message: PatientMessage; cause: Cause }[]) {
    super();
  }
}
