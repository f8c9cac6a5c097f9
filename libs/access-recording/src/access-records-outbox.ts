import type { AccessRecordedV2 } from '@gm/contracts';
import {
  noteWritten,
  outboxForInsert,
  registeredOnce,
  type OutboxFields,
  type PendingEvent,
} from '@gm/messaging';
import type { Collection, Db } from 'mongodb';
import { Counter } from 'prom-client';

const failures = registeredOnce(
  'gm_access_record_failures_total',
  () =>
    new Counter({
      name: 'gm_access_record_failures_total',
      help: 'Access records that could not be written; the read they were for was refused.',
    }),
);

/** The serving side's collection of access records waiting to be, or already, published. */
export const ACCESS_RECORDS_COLLECTION = 'access_records';

/**
 * One document per access, inserted once with its AccessRecorded event in
 * its outbox (ADR 0005) and never updated by a command, only cleared by the
 * relay. Ids only: the record is what the event says, no thread content.
 */
interface AccessRecordDocument extends OutboxFields {
  _id: string;
  practiceId: string;
  /** null for a listing. */
  threadId: string | null;
  action: string;
  outcome: AccessRecordedV2['outcome'];
  occurredAt: string;
}

/**
 * Writes access records so that they reach the audit topic even if the
 * process dies right after: the insert is durable before the caller goes on,
 * and the service's outbox relay publishes it (the collection must be one of
 * the relay's). An insert that fails throws: the caller must not serve.
 */
export class AccessRecordsOutbox {
  private readonly records: Collection<AccessRecordDocument>;

  constructor(db: Pick<Db, 'collection'>) {
    this.records = db.collection<AccessRecordDocument>(ACCESS_RECORDS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    // The relay's query (equality, pushed down by FerretDB; ADR 0004).
    await this.records.createIndex({ _outboxPending: 1 });
  }

  async insert(event: PendingEvent): Promise<void> {
    const data = event.envelope.data as AccessRecordedV2;
    try {
      await this.records.insertOne({
        _id: data.recordId,
        practiceId: data.practiceId,
        threadId: data.threadId,
        action: data.action,
        outcome: data.outcome,
        occurredAt: data.occurredAt,
        ...outboxForInsert([event]),
      });
    } catch (error) {
      failures.inc();
      throw error;
    }
    noteWritten([event]);
  }
}
