import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { GroupQueues } from '../../infrastructure/group-queues.js';
import { ThreadFactsAdapter } from '../../infrastructure/thread-facts.adapter.js';
import { ReconsiderThreadsCommand } from '../reconsider-threads/reconsider-threads.command.js';
import { HandOverThreadsCommand } from './hand-over-threads.command.js';

/**
 * The member's threads through ReconsiderThreads (each its own
 * compare-and-set, so running twice changes nothing the second time),
 * then their groups' queues are marked: a member back in may take queued
 * threads, and threads handed back to the queue may go to someone in.
 */
@CommandHandler(HandOverThreadsCommand)
export class HandOverThreadsCommandHandler implements ICommandHandler<HandOverThreadsCommand> {
  constructor(
    private readonly facts: ThreadFactsAdapter,
    private readonly queues: GroupQueues,
    private readonly commands: CommandBus,
  ) {}

  async execute({ practiceId, memberId, cause }: HandOverThreadsCommand): Promise<number> {
    const moved = await this.commands.execute(
      new ReconsiderThreadsCommand(
        practiceId,
        { trigger: 'out-of-office-changed', memberId },
        cause,
      ),
    );
    for (const groupId of await this.facts.groupsOfMember(practiceId, memberId)) {
      await this.queues.changed(practiceId, groupId);
    }
    return moved;
  }
}
