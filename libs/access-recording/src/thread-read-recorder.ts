import type { Provider } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { OutboxRelayHost } from '@gm/service-kit';
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { isRecordableId } from '@gm/contracts';
import { accessRecordedEvent, type Access, type ThreadAccess } from './access-recorded-event.js';
import { AccessRecordsOutbox } from './access-records-outbox.js';

/** Who read, and the request it came with; the query adds the thread and the action. */
export type ReadContext = Pick<ThreadAccess, 'origin' | 'correlationId'>;

/**
 * The port a service's read use cases record through: that someone read a
 * thread, was refused it, or was shown a listing, durably, before the
 * answer is given (ADR 0013). Throws if the record could not be made durable.
 */
export abstract class ThreadReadRecorder {
  abstract record(access: Access): Promise<void>;
}

/**
 * Fail closed: no record, no content. `refusal` is the service's own
 * 503 error (its domain's code); the store's error rides along as its cause,
 * logged for operators, never shown to the client.
 */
export async function recordReadOrRefuse(
  recorder: ThreadReadRecorder,
  access: Access,
  refusal: () => Error,
): Promise<void> {
  try {
    await recorder.record(access);
  } catch (error) {
    const refused = refusal();
    refused.cause = error;
    throw refused;
  }
}

/**
 * Records that the access was refused with `refusal`'s code, and gives
 * `refusal` back for the caller to throw. Fail closed as for a read: if the
 * refusal cannot be recorded, the answer is the service's 503 instead. A
 * thread id no record can name (not the contract's id) is refused unrecorded.
 */
export async function recordRefusal(
  recorder: ThreadReadRecorder,
  access: Omit<ThreadAccess, 'refusal'>,
  refusal: Error & { code: string },
  unavailable: () => Error,
): Promise<Error> {
  if (isRecordableId(access.threadId)) {
    await recordReadOrRefuse(recorder, { ...access, refusal: refusal.code }, unavailable);
  }
  return refusal;
}

/**
 * Inserts the access record with its AccessRecorded event in its outbox
 * (one insert: durable or not at all); the service's outbox relay, nudged,
 * publishes it to gm.access-audit.
 */
export class MongoThreadReadRecorder extends ThreadReadRecorder {
  private readonly outbox: AccessRecordsOutbox;

  constructor(
    db: Pick<Db, 'collection'>,
    private readonly source: string,
    private readonly nudge: () => void,
  ) {
    super();
    this.outbox = new AccessRecordsOutbox(db);
  }

  ensureIndexes(): Promise<void> {
    return this.outbox.ensureIndexes();
  }

  async record(access: Access): Promise<void> {
    await this.outbox.insert(accessRecordedEvent(this.source, access));
    this.nudge();
  }
}

/**
 * The recorder for a module: the MongoDB implementation on the service's
 * connection, also bound to the port. The module must relay
 * ACCESS_RECORDS_COLLECTION (outboxRelayProviders).
 */
export function threadReadRecorderProviders(source: string): Provider[] {
  return [
    {
      provide: MongoThreadReadRecorder,
      inject: [getConnectionToken(), OutboxRelayHost],
      useFactory: (connection: Connection, relay: OutboxRelayHost) => {
        if (!connection.db) {
          throw new Error('the access recorder needs a connected mongoose connection');
        }
        return new MongoThreadReadRecorder(connection.db, source, () => relay.nudge());
      },
    },
    { provide: ThreadReadRecorder, useExisting: MongoThreadReadRecorder },
  ];
}
