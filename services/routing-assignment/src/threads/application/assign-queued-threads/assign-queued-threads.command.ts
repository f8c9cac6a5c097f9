import { Command } from '@nestjs/cqrs';

/**
 * Give the queued threads of the groups that assign automatically to
 * their members, oldest first (a round of the deadline timer): the groups
 * marked since the last round, or with `everyGroup` all of them. Answers
 * how many threads it assigned.
 */
export class AssignQueuedThreadsCommand extends Command<number> {
  constructor(
    readonly now: string,
    readonly everyGroup: boolean,
  ) {
    super();
  }
}
