import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Redis } from 'ioredis';
import { RedisLease, type Logger } from '@gm/messaging';
import {
  INFRASTRUCTURE_CONFIG,
  PLUMBING_LOGGER,
  REDIS,
  type InfrastructureConfig,
} from '@gm/service-kit';
import { ApplyOutOfOfficeCommand } from '../application/apply-out-of-office/apply-out-of-office.command.js';
import { AssignQueuedThreadsCommand } from '../application/assign-queued-threads/assign-queued-threads.command.js';
import { FireDueDeadlinesCommand } from '../application/fire-due-deadlines/fire-due-deadlines.command.js';

/** How often the timer looks for due deadlines: durations are whole seconds, so a deadline fires within about half of one. */
export const DEADLINE_POLL_MS = 500;
/** A killed timer's replica is replaced this long after its last round. */
export const DEADLINE_LEASE_MS = 5_000;
const ROUND_LIMIT = 200;
/** Members whose out-of-office period began or ended, acted on in a round (each may hold many threads). */
const ABSENCES_LIMIT = 20;
/**
 * Every this many rounds (and on the first round after taking the lease),
 * the queue sweep looks at every group that assigns automatically, not only
 * those marked: a mark lost, or a member back (reactivated, capacity freed
 * by a change elsewhere), is found within about 30 s.
 */
const EVERY_GROUP_ROUNDS = 60;

/**
 * Drives the deadlines (response targets, return to queue, out-of-office
 * periods beginning and ending) and automatic assignment. Deadlines live in the threads themselves (`dueAt`, in the
 * same write as the change that set them), and so does a thread's place in
 * its group's queue (`queued`): nothing is scheduled in memory. Whichever
 * replica holds the lease reads what is due, in order, fires it, then
 * assigns the queues of the groups marked since; a replica that starts
 * after downtime (or takes over from a killed one) finds everything that
 * fell due meanwhile, and looks at every group's queue.
 */
@Injectable()
export class DeadlineTimer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly lease: RedisLease;
  /** Rounds run since this replica took the lease. */
  private heldRounds = 0;

  constructor(
    private readonly commands: CommandBus,
    @Inject(REDIS) redis: Redis,
    @Inject(PLUMBING_LOGGER) private readonly logger: Logger,
    @Inject(INFRASTRUCTURE_CONFIG) config: InfrastructureConfig,
  ) {
    this.lease = new RedisLease(
      redis,
      `gm:deadline-lease:${config.serviceName}:${config.mongoDatabase}`,
      randomUUID(),
      DEADLINE_LEASE_MS,
    );
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.lease.release().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        if (await this.lease.hold()) {
          const now = new Date().toISOString();
          const round = await this.commands.execute(new FireDueDeadlinesCommand(now, ROUND_LIMIT));
          const absences = await this.commands.execute(
            new ApplyOutOfOfficeCommand(now, ABSENCES_LIMIT),
          );
          more = round.taken === ROUND_LIMIT || absences.taken === ABSENCES_LIMIT;
          if (round.failed.length || absences.failed.length) {
            this.logger.warn(
              {
                threadIds: round.failed.slice(0, 20),
                failed: round.failed.length,
                memberIds: absences.failed.slice(0, 20),
              },
              'deadlines failed to fire; they stay due and are tried again',
            );
          }
          const everyGroup = this.heldRounds++ % EVERY_GROUP_ROUNDS === 0;
          await this.commands.execute(new AssignQueuedThreadsCommand(now, everyGroup));
        } else {
          this.heldRounds = 0;
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'deadline round failed; retrying');
      }
      // A full round means more may be due: catch up before sleeping.
      if (!more && this.running) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), DEADLINE_POLL_MS);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
