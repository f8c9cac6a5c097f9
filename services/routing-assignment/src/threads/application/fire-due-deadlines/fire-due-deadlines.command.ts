import { Command } from '@nestjs/cqrs';

/** Fire the deadlines that have come by `now` (a round of the deadline timer): answers how many threads it took. */
export class FireDueDeadlinesCommand extends Command<number> {
  constructor(
    readonly now: string,
    readonly limit: number,
  ) {
    super();
  }
}
