import {
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  ACCESS_RECORDS_COLLECTION,
  MongoThreadReadRecorder,
  threadReadRecorderProviders,
} from '@gm/access-recording';
import {
  EVENT_SUBSCRIPTION,
  EventConsumerHost,
  INFRASTRUCTURE_CONFIG,
  outboxRelayProviders,
  REDIS,
  type EventSubscription,
  type InfrastructureConfig,
} from '@gm/service-kit';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { ListDirectThreadsQueryHandler } from './application/list-direct-threads/list-direct-threads.query-handler.js';
import { ListGroupThreadsQueryHandler } from './application/list-group-threads/list-group-threads.query-handler.js';
import { ListMailboxQueryHandler } from './application/list-mailbox/list-mailbox.query-handler.js';
import { ListMyGroupsQueryHandler } from './application/list-my-groups/list-my-groups.query-handler.js';
import { OpenMemberThreadCommandHandler } from './application/open-member-thread/open-member-thread.command-handler.js';
import { OpenPatientThreadCommandHandler } from './application/open-patient-thread/open-patient-thread.command-handler.js';
import { RecordListingCommandHandler } from './application/record-listing/record-listing.command-handler.js';
import { LiveFeed } from './application/live-feed/live-feed.js';
import { LeaveThreadCommandHandler } from './application/leave-thread/leave-thread.command-handler.js';
import { PresenceAccess } from './application/presence/presence-access.js';
import { PresenceBoard } from './application/presence/presence-board.port.js';
import { PRESENCE_TIMING } from './application/presence/presence-timing.js';
import { SignalPresenceCommandHandler } from './application/signal-presence/signal-presence.command-handler.js';
import { WatchPresence } from './application/watch-presence/watch-presence.js';
import type { PresenceTiming } from './domain/presence.js';
import { InboxProjector } from './application/project-thread-events/inbox-projector.js';
import { InboxRebuild } from './application/rebuild-projection/inbox-rebuild.js';
import { FeedHub } from './infrastructure/feed-hub.js';
import { RebuildClaim } from './infrastructure/rebuild-claim.js';
import { InboxPages } from './infrastructure/inbox-pages.js';
import { InboxSignals } from './infrastructure/inbox-signals.js';
import { presenceTiming, RedisPresenceBoard } from './infrastructure/presence-board.js';
import { Generations } from './infrastructure/projection-store.js';
import { ReadMarkers } from './infrastructure/read-markers.js';
import { SenderNamesAdapter } from './infrastructure/sender-names.adapter.js';
import { ThreadLocks } from './infrastructure/thread-locks.js';
import { InboxEventsConsumer } from './interface/inbox-events.consumer.js';
import { GetProgressReportQueryHandler } from '../progress-reports/application/get-progress-report/get-progress-report.query-handler.js';
import { ProgressProjector } from '../progress-reports/application/project-progress/progress-projector.js';
import { RecordReportReadCommandHandler } from '../progress-reports/application/record-report-read/record-report-read.command-handler.js';
import { ReportReaders } from '../progress-reports/application/report-readers.js';
import { ProgressReportsHttpController } from '../progress-reports/interface/progress-reports.http.controller.js';
import {
  InboxFeedHttpController,
  MemberInboxHttpController,
  PatientMailboxHttpController,
  RebuildHttpController,
} from './interface/inbox.http.controller.js';
import { PresenceHttpController } from './interface/presence.http.controller.js';

const queryHandlers = [
  ListMyGroupsQueryHandler,
  ListGroupThreadsQueryHandler,
  ListDirectThreadsQueryHandler,
  ListMailboxQueryHandler,
];
const commandHandlers = [
  OpenMemberThreadCommandHandler,
  OpenPatientThreadCommandHandler,
  RecordListingCommandHandler,
  SignalPresenceCommandHandler,
  LeaveThreadCommandHandler,
];
const application = [InboxProjector, InboxRebuild, LiveFeed, PresenceAccess, WatchPresence];
const infrastructure: Provider[] = [
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
  { provide: PRESENCE_TIMING, useFactory: () => presenceTiming() },
  {
    provide: PresenceBoard,
    inject: [REDIS, FeedHub, PRESENCE_TIMING],
    useFactory: (redis: Redis, hub: FeedHub, timing: PresenceTiming) =>
      new RedisPresenceBoard(redis, hub, timing),
  },
  {
    // One rebuild at a time across the replicas of this service's database.
    provide: RebuildClaim,
    inject: [REDIS, INFRASTRUCTURE_CONFIG],
    useFactory: (redis: Redis, config: InfrastructureConfig) =>
      new RebuildClaim(redis, config.mongoDatabase),
  },
  ThreadLocks,
  InboxPages,
  ReadMarkers,
  SenderNamesAdapter,
  ...threadReadRecorderProviders('/services/inbox-projection'),
  // The only outbox here: access records of thread reads, published to gm.access-audit.
  ...outboxRelayProviders([ACCESS_RECORDS_COLLECTION]),
];
/** Progress reports (ADR 0024): projected from the analytics stream into each generation's store. */
const progressReports: Provider[] = [
  ProgressProjector,
  ReportReaders,
  GetProgressReportQueryHandler,
  RecordReportReadCommandHandler,
];
const consumption: Provider[] = [
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
];

@Module({
  controllers: [
    MemberInboxHttpController,
    PatientMailboxHttpController,
    InboxFeedHttpController,
    PresenceHttpController,
    RebuildHttpController,
    ProgressReportsHttpController,
  ],
  providers: [
    ...queryHandlers,
    ...commandHandlers,
    ...application,
    ...infrastructure,
    ...progressReports,
    ...consumption,
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
