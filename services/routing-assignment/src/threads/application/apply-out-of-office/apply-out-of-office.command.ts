import { Command } from '@nestjs/cqrs';
import type { DeadlineRound } from '../fire-due-deadlines/fire-due-deadlines.command.js';

/**
 * Act on the members whose out-of-office periods began or ended by `now`,
 * or changed (a round of the deadline timer): their assigned threads go
 * to their cover or the queue, their direct messages' audiences gain or
 * lose the cover.
 */
export class ApplyOutOfOfficeCommand extends Command<DeadlineRound> {
  constructor(
    readonly now: string,
    readonly limit: number,
  ) {
    super();
  }
}
