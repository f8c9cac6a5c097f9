import { Module, type OnModuleInit } from '@nestjs/common';
import { directoryReplicaSubscription } from '@gm/directory-replica';
import { EventConsumerHost, outboxRelayProviders } from '@gm/service-kit';
import { CreateMessageGroupCommandHandler } from './application/create-message-group/create-message-group.command-handler.js';
import { DeleteMessageGroupCommandHandler } from './application/delete-message-group/delete-message-group.command-handler.js';
import { GetMessageGroupQueryHandler } from './application/get-message-group/get-message-group.query-handler.js';
import { ListMessageGroupsQueryHandler } from './application/list-message-groups/list-message-groups.query-handler.js';
import { MessageGroupViews } from './application/message-group-view.js';
import { SettingsAccess } from './application/settings-access.js';
import { UpdateMessageGroupCommandHandler } from './application/update-message-group/update-message-group.command-handler.js';
import {
  MESSAGE_GROUPS_COLLECTION,
  MessageGroupsRepository,
} from './infrastructure/message-groups.repository.js';
import { PracticeFactsAdapter } from './infrastructure/practice-facts.adapter.js';
import { MessageGroupsHttpController } from './interface/message-groups.http.controller.js';

const commandHandlers = [
  CreateMessageGroupCommandHandler,
  UpdateMessageGroupCommandHandler,
  DeleteMessageGroupCommandHandler,
];
const queryHandlers = [ListMessageGroupsQueryHandler, GetMessageGroupQueryHandler];
const application = [SettingsAccess, MessageGroupViews];
const infrastructure = [
  MessageGroupsRepository,
  PracticeFactsAdapter,
  ...outboxRelayProviders([MESSAGE_GROUPS_COLLECTION]),
  // The directory replica is all this service consumes: plan, facilities, categories, roles, members.
  directoryReplicaSubscription,
  EventConsumerHost,
];

@Module({
  controllers: [MessageGroupsHttpController],
  providers: [...commandHandlers, ...queryHandlers, ...application, ...infrastructure],
})
export class MessageGroupsModule implements OnModuleInit {
  constructor(private readonly groups: MessageGroupsRepository) {}

  async onModuleInit(): Promise<void> {
    await this.groups.ensureIndexes();
  }
}
