import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { groupNotFound, MessageGroupRuleViolation } from '../../domain/message-group-errors.js';
import { MessageGroupsRepository } from '../../infrastructure/message-groups.repository.js';
import { groupDeletedEvent } from '../message-group-events.js';
import { SettingsAccess } from '../settings-access.js';
import { DeleteMessageGroupCommand } from './delete-message-group.command.js';

@CommandHandler(DeleteMessageGroupCommand)
export class DeleteMessageGroupCommandHandler implements ICommandHandler<DeleteMessageGroupCommand> {
  constructor(
    private readonly access: SettingsAccess,
    private readonly groups: MessageGroupsRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute({ caller, groupId, correlationId }: DeleteMessageGroupCommand): Promise<void> {
    await this.access.assertCanManageGroups(caller);
    const current = await this.groups.find(caller.practiceId, groupId);
    if (!current) throw groupNotFound(groupId);
    const event = groupDeletedEvent(current.state, current.version + 1, correlationId);
    if (!(await this.groups.markDeleted(groupId, current.version, event))) {
      throw new MessageGroupRuleViolation(
        'group-changed-meanwhile',
        'the group changed meanwhile; reload and try again',
        'conflict',
      );
    }
    this.relay.nudge();
  }
}
