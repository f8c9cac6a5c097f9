import { Module, type OnModuleInit } from '@nestjs/common';
import { directoryReplicaSubscription } from '@gm/directory-replica';
import { EventConsumerHost, outboxRelayProviders } from '@gm/service-kit';
import { CreateMessageGroupCommandHandler } from './application/create-message-group/create-message-group.command-handler.js';
import { DeleteMessageGroupCommandHandler } from './application/delete-message-group/delete-message-group.command-handler.js';
import { GetGroupWorkflowQueryHandler } from './application/get-group-workflow/get-group-workflow.query-handler.js';
import { GetMessageGroupQueryHandler } from './application/get-message-group/get-message-group.query-handler.js';
import { GetOutOfOfficeQueryHandler } from './application/get-out-of-office/get-out-of-office.query-handler.js';
import { GetQuickRepliesQueryHandler } from './application/get-quick-replies/get-quick-replies.query-handler.js';
import { GroupAccess } from './application/group-access.js';
import { ListMessageGroupsQueryHandler } from './application/list-message-groups/list-message-groups.query-handler.js';
import { MessageGroupViews } from './application/message-group-view.js';
import { ReplaceGroupWorkflowCommandHandler } from './application/replace-group-workflow/replace-group-workflow.command-handler.js';
import { QuickRepliesStore } from './application/quick-replies-store.js';
import { ReplaceOutOfOfficeCommandHandler } from './application/replace-out-of-office/replace-out-of-office.command-handler.js';
import { ReplaceQuickRepliesCommandHandler } from './application/replace-quick-replies/replace-quick-replies.command-handler.js';
import { SettingsAccess } from './application/settings-access.js';
import { UpdateMessageGroupCommandHandler } from './application/update-message-group/update-message-group.command-handler.js';
import {
  GROUP_WORKFLOWS_COLLECTION,
  GroupWorkflowsRepository,
} from './infrastructure/group-workflows.repository.js';
import {
  MESSAGE_GROUPS_COLLECTION,
  MessageGroupsRepository,
} from './infrastructure/message-groups.repository.js';
import {
  OUT_OF_OFFICE_COLLECTION,
  OutOfOfficeRepository,
} from './infrastructure/out-of-office.repository.js';
import { PracticeFactsAdapter } from './infrastructure/practice-facts.adapter.js';
import { QuickRepliesRepository } from './infrastructure/quick-replies.repository.js';
import { GroupWorkflowHttpController } from './interface/group-workflow.http.controller.js';
import { MessageGroupsHttpController } from './interface/message-groups.http.controller.js';
import { OutOfOfficeHttpController } from './interface/out-of-office.http.controller.js';
import { QuickRepliesHttpController } from './interface/quick-replies.http.controller.js';

const commandHandlers = [
  CreateMessageGroupCommandHandler,
  UpdateMessageGroupCommandHandler,
  DeleteMessageGroupCommandHandler,
  ReplaceGroupWorkflowCommandHandler,
  ReplaceOutOfOfficeCommandHandler,
  ReplaceQuickRepliesCommandHandler,
];
const queryHandlers = [
  ListMessageGroupsQueryHandler,
  GetMessageGroupQueryHandler,
  GetGroupWorkflowQueryHandler,
  GetOutOfOfficeQueryHandler,
  GetQuickRepliesQueryHandler,
];
const application = [SettingsAccess, GroupAccess, MessageGroupViews];
const infrastructure = [
  MessageGroupsRepository,
  GroupWorkflowsRepository,
  OutOfOfficeRepository,
  PracticeFactsAdapter,
  // Quick replies publish nothing: their collection has no outbox for the relay.
  { provide: QuickRepliesStore, useClass: QuickRepliesRepository },
  ...outboxRelayProviders([
    MESSAGE_GROUPS_COLLECTION,
    GROUP_WORKFLOWS_COLLECTION,
    OUT_OF_OFFICE_COLLECTION,
  ]),
  // The directory replica is all this service consumes: plan, facilities, categories, roles, members.
  directoryReplicaSubscription,
  EventConsumerHost,
];

@Module({
  controllers: [
    MessageGroupsHttpController,
    GroupWorkflowHttpController,
    OutOfOfficeHttpController,
    QuickRepliesHttpController,
  ],
  providers: [...commandHandlers, ...queryHandlers, ...application, ...infrastructure],
})
export class MessageGroupsModule implements OnModuleInit {
  constructor(
    private readonly groups: MessageGroupsRepository,
    private readonly workflows: GroupWorkflowsRepository,
    private readonly outOfOffice: OutOfOfficeRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.groups.ensureIndexes();
    await this.workflows.ensureIndexes();
    await this.outOfOffice.ensureIndexes();
  }
}
