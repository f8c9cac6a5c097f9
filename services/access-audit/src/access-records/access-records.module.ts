import { Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_SUBSCRIPTION, EventConsumerHost, type EventSubscription } from '@gm/service-kit';
import { AuditTrailAccess } from './application/audit-trail-access.js';
import { ListAccessRecordsQueryHandler } from './application/list-access-records/list-access-records.query-handler.js';
import { RecordAccessCommandHandler } from './application/record-access/record-access.command-handler.js';
import { AccessRecordsRepository } from './infrastructure/access-records.repository.js';
import { AuditTopicRetention } from './infrastructure/audit-topic-retention.js';
import { AccessAuditEventsConsumer } from './interface/access-audit-events.consumer.js';
import { AccessRecordsHttpController } from './interface/access-records.http.controller.js';

const commandHandlers = [RecordAccessCommandHandler];
const queryHandlers = [ListAccessRecordsQueryHandler];
const application = [AuditTrailAccess];
const infrastructure = [
  AccessRecordsRepository,
  AuditTopicRetention,
  AccessAuditEventsConsumer,
  {
    provide: EVENT_SUBSCRIPTION,
    inject: [AccessAuditEventsConsumer],
    useFactory: (consumer: AccessAuditEventsConsumer): EventSubscription => ({
      topics: consumer.topics,
      handler: (envelope) => consumer.handle(envelope),
    }),
  },
  EventConsumerHost,
];

// No outbox relay: this service publishes nothing; it keeps what the others report.
@Module({
  controllers: [AccessRecordsHttpController],
  providers: [...commandHandlers, ...queryHandlers, ...application, ...infrastructure],
})
export class AccessRecordsModule implements OnModuleInit {
  constructor(private readonly records: AccessRecordsRepository) {}

  async onModuleInit(): Promise<void> {
    await this.records.ensureIndexes();
  }
}
