import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { signalPresence, type PresenceTiming } from '../../domain/presence.js';
import { PresenceAccess } from '../presence/presence-access.js';
import { PresenceBoard } from '../presence/presence-board.port.js';
import { PRESENCE_TIMING } from '../presence/presence-timing.js';
import { SignalPresenceCommand } from './signal-presence.command.js';

@CommandHandler(SignalPresenceCommand)
export class SignalPresenceCommandHandler implements ICommandHandler<SignalPresenceCommand> {
  constructor(
    private readonly access: PresenceAccess,
    @Inject(PresenceBoard) private readonly board: PresenceBoard,
    @Inject(PRESENCE_TIMING) private readonly timing: PresenceTiming,
  ) {}

  async execute({ caller, threadId, activity }: SignalPresenceCommand): Promise<void> {
    await this.access.assertInAudience(caller, threadId);
    const { practiceId, id: memberId } = caller;
    const previous = (await this.board.presences(practiceId, threadId)).find(
      (p) => p.memberId === memberId,
    );
    const { presence, news } = signalPresence(
      previous,
      memberId,
      activity,
      Date.now(),
      this.timing.ttlMs,
    );
    await this.board.keep(practiceId, threadId, presence, news);
  }
}
