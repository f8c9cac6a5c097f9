import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MessageGroupDraft } from '../../domain/message-group.js';

export interface GroupWritten {
  groupId: string;
  version: number;
}

export class CreateMessageGroupCommand extends Command<GroupWritten> {
  constructor(
    readonly caller: Caller,
    readonly draft: MessageGroupDraft,
    readonly correlationId: string,
  ) {
    super();
  }
}
