import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DIRECTORY_TOPICS, DirectoryReplica } from '@gm/directory-replica';
import {
  EVENT_SUBSCRIPTION,
  EventConsumerHost,
  outboxRelayProviders,
  type EventSubscription,
} from '@gm/service-kit';
import { SETTINGS_TOPICS, SettingsReplica } from '@gm/settings-replica';
import type { PatientSendLimit } from '../config.js';
import type { ClientChannels } from './domain/patient-channel.js';
import { FollowUpCommandHandler } from './application/follow-up/follow-up.command-handler.js';
import { ListRecipientsQueryHandler } from './application/list-recipients/list-recipients.query-handler.js';
import { PatientSends } from './application/patient-sends.js';
import { CLIENT_CHANNELS } from './application/send-context.js';
import { StartThreadCommandHandler } from './application/start-thread/start-thread.command-handler.js';
import { IdempotencyStore } from './infrastructure/idempotency.store.js';
import { RecipientFactsAdapter } from './infrastructure/recipient-facts.adapter.js';
import { PATIENT_SEND_LIMIT, SendRateLimiter } from './infrastructure/send-rate-limiter.js';
import { THREADS_COLLECTION, ThreadsRepository } from './infrastructure/threads.repository.js';
import { RecipientsHttpController } from './interface/recipients.http.controller.js';
import { ThreadsHttpController } from './interface/threads.http.controller.js';

/**
 * The directory and the practice settings, replicated from their compacted
 * topics by one consumer: the To list and the send-time re-check read them
 * locally.
 */
const replicaSubscription = {
  provide: EVENT_SUBSCRIPTION,
  inject: [DirectoryReplica, SettingsReplica],
  useFactory: (directory: DirectoryReplica, settings: SettingsReplica): EventSubscription => ({
    topics: [...DIRECTORY_TOPICS, ...SETTINGS_TOPICS],
    handler: async (envelope) => {
      if (directory.handles(envelope.type)) return void (await directory.apply(envelope));
      if (settings.handles(envelope.type)) return void (await settings.apply(envelope));
      // A known type these replicas do not keep (e.g. a version they fold from another): nothing to do.
      // Never a dead letter (docs/event-compatibility.md).
    },
    // Version-checked upserts only.
    idempotent: true,
  }),
};

@Module({})
export class PatientMessagingModule implements OnModuleInit {
  constructor(private readonly threads: ThreadsRepository) {}

  static forRoot(sendLimit: PatientSendLimit, clientChannels: ClientChannels): DynamicModule {
    return {
      module: PatientMessagingModule,
      controllers: [RecipientsHttpController, ThreadsHttpController],
      providers: [
        ListRecipientsQueryHandler,
        StartThreadCommandHandler,
        FollowUpCommandHandler,
        PatientSends,
        RecipientFactsAdapter,
        ThreadsRepository,
        IdempotencyStore,
        SendRateLimiter,
        { provide: PATIENT_SEND_LIMIT, useValue: sendLimit },
        { provide: CLIENT_CHANNELS, useValue: clientChannels },
        ...outboxRelayProviders([THREADS_COLLECTION]),
        replicaSubscription,
        EventConsumerHost,
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.threads.ensureIndexes();
  }
}
