import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PresenceBoard } from '../presence/presence-board.port.js';
import { LeaveThreadCommand } from './leave-thread.command.js';

/** Leaving needs no access check: it only ever removes the caller's own presence. */
@CommandHandler(LeaveThreadCommand)
export class LeaveThreadCommandHandler implements ICommandHandler<LeaveThreadCommand> {
  constructor(@Inject(PresenceBoard) private readonly board: PresenceBoard) {}

  async execute({ caller, threadId }: LeaveThreadCommand): Promise<void> {
    await this.board.drop(caller.practiceId, threadId, caller.id);
  }
}
