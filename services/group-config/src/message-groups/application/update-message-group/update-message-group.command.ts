import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { MessageGroupDraft } from '../../domain/message-group.js';
import type { GroupWritten } from '../create-message-group/create-message-group.command.js';

/** Replaces a group's configuration; `expectedVersion` (If-Match) guards against lost updates. */
export class UpdateMessageGroupCommand extends Command<GroupWritten> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
    readonly draft: MessageGroupDraft,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
