import { Command } from '@nestjs/cqrs';

/** What a round did: how many due threads it took, and those that failed to fire (tried again next round). */
export interface DeadlineRound {
  taken: number;
  failed: string[];
}

/** Fire the deadlines that have come by `now` (a round of the deadline timer). */
export class FireDueDeadlinesCommand extends Command<DeadlineRound> {
  constructor(
    readonly now: string,
    readonly limit: number,
  ) {
    super();
  }
}
