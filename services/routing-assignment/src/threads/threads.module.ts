import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { reactorOf } from '@gm/contracts';
import {
  ACCESS_RECORDS_COLLECTION,
  MongoThreadReadRecorder,
  threadReadRecorderProviders,
} from '@gm/access-recording';
import {
  EVENT_SUBSCRIPTION,
  EventConsumerHost,
  outboxRelayProviders,
  type EventSubscription,
} from '@gm/service-kit';
import { AddNoteCommandHandler } from './application/add-note/add-note.command-handler.js';
import { ApplyOutOfOfficeCommandHandler } from './application/apply-out-of-office/apply-out-of-office.command-handler.js';
import { HandOverThreadsCommandHandler } from './application/hand-over-threads/hand-over-threads.command-handler.js';
import { AssignQueuedThreadsCommandHandler } from './application/assign-queued-threads/assign-queued-threads.command-handler.js';
import { FireDueDeadlinesCommandHandler } from './application/fire-due-deadlines/fire-due-deadlines.command-handler.js';
import { AssignThreadCommandHandler } from './application/assign-thread/assign-thread.command-handler.js';
import { GetThreadTimelineQueryHandler } from './application/get-thread-timeline/get-thread-timeline.query-handler.js';
import { ReceivePatientMessageCommandHandler } from './application/receive-patient-message/receive-patient-message.command-handler.js';
import { ReceivePatientMessagesCommandHandler } from './application/receive-patient-messages/receive-patient-messages.command-handler.js';
import { ReplyToThreadCommandHandler } from './application/reply-to-thread/reply-to-thread.command-handler.js';
import { RestoreThreadCommandHandler } from './application/restore-thread/restore-thread.command-handler.js';
import { RouteWaitingThreadsCommandHandler } from './application/route-waiting-threads/route-waiting-threads.command-handler.js';
import { ThreadChanges } from './application/thread-changes.js';
import { SOURCE } from './application/thread-events.js';
import { TrashThreadCommandHandler } from './application/trash-thread/trash-thread.command-handler.js';
import { ReconsiderThreadsCommandHandler } from './application/reconsider-threads/reconsider-threads.command-handler.js';
import { GroupQueues } from './infrastructure/group-queues.js';
import { ThreadFactsAdapter } from './infrastructure/thread-facts.adapter.js';
import { PATIENT_PSEUDONYMS } from './application/patient-pseudonyms.port.js';
import {
  HmacPatientPseudonyms,
  type PatientKey,
} from './infrastructure/hmac-patient-pseudonyms.js';
import { THREADS_COLLECTION, ThreadsRepository } from './infrastructure/threads.repository.js';
import { DeadlineTimer } from './interface/deadline-timer.js';
import { ThreadEventsConsumer } from './interface/thread-events.consumer.js';
import { ThreadsHttpController } from './interface/threads.http.controller.js';

const commandHandlers = [
  ReceivePatientMessageCommandHandler,
  ReceivePatientMessagesCommandHandler,
  RouteWaitingThreadsCommandHandler,
  ReconsiderThreadsCommandHandler,
  AssignThreadCommandHandler,
  ReplyToThreadCommandHandler,
  AddNoteCommandHandler,
  TrashThreadCommandHandler,
  RestoreThreadCommandHandler,
  FireDueDeadlinesCommandHandler,
  ApplyOutOfOfficeCommandHandler,
  HandOverThreadsCommandHandler,
  AssignQueuedThreadsCommandHandler,
];
const queryHandlers = [GetThreadTimelineQueryHandler];
const application = [ThreadChanges];
const infrastructure = [
  ThreadsRepository,
  ThreadFactsAdapter,
  GroupQueues,
  ...threadReadRecorderProviders(SOURCE),
  // Threads carry their events (and the audit records of their changes); reads insert access records.
  ...outboxRelayProviders([THREADS_COLLECTION, ACCESS_RECORDS_COLLECTION]),
  ThreadEventsConsumer,
  {
    provide: EVENT_SUBSCRIPTION,
    inject: [ThreadEventsConsumer],
    // One consumer group: directory and settings replicas, and the patients' messages.
    useFactory: (consumer: ThreadEventsConsumer): EventSubscription => ({
      topics: consumer.topics,
      handler: (envelope) => consumer.handle(envelope),
      batchHandler: (envelopes) => consumer.handleBatch(envelopes),
      // Replicas are version-checked upserts; a thread takes each message id once; reconsidering is a recomputation.
      idempotent: true,
      // Decides threads' audiences when groups, members and patients change (ADR 0018).
      reactor: reactorOf(SOURCE),
    }),
  },
  EventConsumerHost,
  // Fires response targets and return to queue from the deadlines the threads hold, acts on
  // out-of-office periods as they begin and end; assigns queues.
  DeadlineTimer,
];

@Module({})
export class ThreadsModule implements OnModuleInit {
  constructor(
    private readonly threads: ThreadsRepository,
    private readonly reads: MongoThreadReadRecorder,
  ) {}

  /** `patientKey`: what the analytics stream's patient keys are made with. */
  static forRoot(patientKey: PatientKey): DynamicModule {
    return {
      module: ThreadsModule,
      controllers: [ThreadsHttpController],
      providers: [
        ...commandHandlers,
        ...queryHandlers,
        ...application,
        ...infrastructure,
        { provide: PATIENT_PSEUDONYMS, useValue: new HmacPatientPseudonyms(patientKey) },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.threads.ensureIndexes();
    await this.reads.ensureIndexes();
  }
}
