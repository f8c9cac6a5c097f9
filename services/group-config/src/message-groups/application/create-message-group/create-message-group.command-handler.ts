import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutboxRelayHost } from '@gm/service-kit';
import { randomUUID } from 'node:crypto';
import { checkMessageGroup } from '../../domain/message-group.js';
import { MessageGroupsRepository } from '../../infrastructure/message-groups.repository.js';
import { PracticeFactsAdapter } from '../../infrastructure/practice-facts.adapter.js';
import { groupStateEvent } from '../message-group-events.js';
import { SettingsAccess } from '../settings-access.js';
import { CreateMessageGroupCommand, type GroupWritten } from './create-message-group.command.js';

@CommandHandler(CreateMessageGroupCommand)
export class CreateMessageGroupCommandHandler implements ICommandHandler<CreateMessageGroupCommand> {
  constructor(
    private readonly access: SettingsAccess,
    private readonly facts: PracticeFactsAdapter,
    private readonly groups: MessageGroupsRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute({
    caller,
    draft,
    correlationId,
  }: CreateMessageGroupCommand): Promise<GroupWritten> {
    await this.access.assertCanManageGroups(caller);
    const groupId = `grp_${randomUUID()}`;
    const facts = await this.facts.forPractice(caller.practiceId);
    const state = await checkMessageGroup(caller.practiceId, groupId, draft, facts);
    await this.groups.insert(state, groupStateEvent('created', state, 1, correlationId));
    this.relay.nudge();
    return { groupId, version: 1 };
  }
}
