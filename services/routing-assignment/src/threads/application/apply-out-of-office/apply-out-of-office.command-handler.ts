import { randomUUID } from 'node:crypto';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutOfOfficeReplica } from '@gm/settings-replica';
import { deadlineFailed, deadlineFired } from '../../infrastructure/deadline-metrics.js';
import type { DeadlineRound } from '../fire-due-deadlines/fire-due-deadlines.command.js';
import { HandOverThreadsCommand } from '../hand-over-threads/hand-over-threads.command.js';
import { ApplyOutOfOfficeCommand } from './apply-out-of-office.command.js';

/**
 * Each member whose period began or ended has their threads handed over
 * (or back) on the replicas as they are now; only then are they due at
 * their next boundary. Handing over twice changes nothing the second time,
 * so a boundary acts once however many rounds see it. A member who could
 * not be acted on stays due, and holds up nobody else.
 */
@CommandHandler(ApplyOutOfOfficeCommand)
export class ApplyOutOfOfficeCommandHandler implements ICommandHandler<ApplyOutOfOfficeCommand> {
  constructor(
    private readonly absences: OutOfOfficeReplica,
    private readonly commands: CommandBus,
  ) {}

  async execute({ now, limit }: ApplyOutOfOfficeCommand): Promise<DeadlineRound> {
    const due = await this.absences.due(now, limit);
    const failed: string[] = [];
    for (const member of due) {
      try {
        await this.commands.execute(
          new HandOverThreadsCommand(member.practiceId, member.memberId, {
            correlationId: randomUUID(),
          }),
        );
        await this.absences.settle(member, now);
        deadlineFired('out-of-office', member.dueAt, now);
      } catch {
        deadlineFailed();
        failed.push(member.memberId);
      }
    }
    return { taken: due.length, failed };
  }
}
