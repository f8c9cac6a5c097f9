import { Command } from '@nestjs/cqrs';
import type { Cause } from '../thread-events.js';

/** A group reached the settings replica: route the threads that were waiting for it. */
export class RouteWaitingThreadsCommand extends Command<number> {
  constructor(
    readonly practiceId: string,
    readonly groupId: string,
    readonly cause: Cause,
  ) {
    super();
  }
}
