import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';

export class DeleteMessageGroupCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
