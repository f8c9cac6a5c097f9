import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  ACCESS_RECORDS_COLLECTION,
  MongoThreadReadRecorder,
  threadReadRecorderProviders,
} from '@gm/access-recording';
import {
  EVENT_SUBSCRIPTION,
  EventConsumerHost,
  outboxRelayProviders,
  REDIS,
  type EventSubscription,
} from '@gm/service-kit';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { InboxProjector } from './application/inbox-projector.js';
import { InboxQueries } from './application/inbox-queries.js';
import { InboxRebuild } from './application/inbox-rebuild.js';
import { FeedHub } from './infrastructure/feed-hub.js';
import { InboxSignals } from './infrastructure/inbox-signals.js';
import { Generations } from './infrastructure/projection-store.js';
import { InboxEventsConsumer } from './interface/inbox-events.consumer.js';
import {
  InboxFeedHttpController,
  MemberInboxHttpController,
  PatientMailboxHttpController,
  RebuildHttpController,
} from './interface/inbox.http.controller.js';

@Module({
  controllers: [
    MemberInboxHttpController,
    PatientMailboxHttpController,
    InboxFeedHttpController,
    RebuildHttpController,
  ],
  providers: [
    {
      provide: Generations,
      inject: [getConnectionToken()],
      useFactory: (connection: Connection) => {
        if (!connection.db) throw new Error('Generations need a connected mongoose connection');
        return new Generations(connection.db);
      },
    },
    {
      provide: InboxSignals,
      inject: [REDIS],
      useFactory: (redis: Redis) => new InboxSignals(redis),
    },
    { provide: FeedHub, inject: [REDIS], useFactory: (redis: Redis) => new FeedHub(redis) },
    InboxProjector,
    InboxQueries,
    InboxRebuild,
    InboxEventsConsumer,
    {
      provide: EVENT_SUBSCRIPTION,
      inject: [InboxEventsConsumer],
      useFactory: (consumer: InboxEventsConsumer): EventSubscription => ({
        topics: consumer.topics,
        handler: (envelope) => consumer.handle([envelope]),
        batchHandler: (envelopes) => consumer.handle(envelopes),
        // Replicas are version-checked upserts; views fold each fact once (by version or id).
        idempotent: true,
      }),
    },
    EventConsumerHost,
    ...threadReadRecorderProviders('/services/inbox-projection'),
    // The only outbox here: access records of thread reads, published to gm.access-audit.
    ...outboxRelayProviders([ACCESS_RECORDS_COLLECTION]),
  ],
})
export class InboxModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    @Inject(FeedHub) private readonly hub: FeedHub,
    @Inject(MongoThreadReadRecorder) private readonly reads: MongoThreadReadRecorder,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.generations.initialise();
    await this.reads.ensureIndexes();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
  }
}
