import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { checkMessageGroup } from '../../domain/message-group.js';
import { groupNotFound, MessageGroupRuleViolation } from '../../domain/message-group-errors.js';
import { MessageGroupsRepository } from '../../infrastructure/message-groups.repository.js';
import { PracticeFactsAdapter } from '../../infrastructure/practice-facts.adapter.js';
import type { GroupWritten } from '../create-message-group/create-message-group.command.js';
import { groupStateEvent } from '../message-group-events.js';
import { SettingsAccess } from '../settings-access.js';
import { UpdateMessageGroupCommand } from './update-message-group.command.js';

@CommandHandler(UpdateMessageGroupCommand)
export class UpdateMessageGroupCommandHandler implements ICommandHandler<UpdateMessageGroupCommand> {
  constructor(
    private readonly access: SettingsAccess,
    private readonly facts: PracticeFactsAdapter,
    private readonly groups: MessageGroupsRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute(command: UpdateMessageGroupCommand): Promise<GroupWritten> {
    const { caller, groupId, draft, expectedVersion, correlationId } = command;
    await this.access.assertCanManageGroups(caller);
    const current = await this.groups.find(caller.practiceId, groupId);
    if (!current) throw groupNotFound(groupId);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMoved(current.version);
    const facts = await this.facts.forPractice(caller.practiceId);
    const state = await checkMessageGroup(caller.practiceId, groupId, draft, facts);
    const version = current.version + 1;
    if (
      !(await this.groups.update(
        state,
        current.version,
        groupStateEvent('updated', state, version, correlationId),
      ))
    ) {
      throw versionMoved(current.version);
    }
    this.relay.nudge();
    return { groupId, version };
  }
}

const versionMoved = (version: number) =>
  new MessageGroupRuleViolation(
    'group-changed-meanwhile',
    `the group changed since version ${version} was read; reload and try again`,
    'conflict',
  );
