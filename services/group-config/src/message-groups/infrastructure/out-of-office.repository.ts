import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import {
  isDuplicateKeyError,
  OutboxCollection,
  type DocumentLocks,
  type OutboxFields,
  type PendingEvent,
} from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { periodOf, type OutOfOfficePeriod } from '../domain/out-of-office.js';

export const OUT_OF_OFFICE_COLLECTION = 'out_of_office';

interface OutOfOfficeDocument extends Partial<OutboxFields> {
  /** `${practiceId}:${memberId}`. */
  _id: string;
  practiceId: string;
  memberId: string;
  /** Ordered by start, as published (ended ones stay until the next change). */
  periods: OutOfOfficePeriod[];
  version: number;
  changedAt: string;
}

export interface StoredOutOfOffice {
  periods: OutOfOfficePeriod[];
  version: number;
  changedAt: string;
}

const outOfOfficeId = (practiceId: string, memberId: string) => `${practiceId}:${memberId}`;

/** A member's out-of-office periods: state, version and outbox in one document. */
@Injectable()
export class OutOfOfficeRepository {
  private readonly documents: Collection<OutOfOfficeDocument>;
  private readonly writes: OutboxCollection<OutOfOfficeDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(DOCUMENT_LOCKS) locks: DocumentLocks,
  ) {
    this.documents = connection.collection(
      OUT_OF_OFFICE_COLLECTION,
    ) as unknown as Collection<OutOfOfficeDocument>;
    this.writes = new OutboxCollection(this.documents, locks);
  }

  async ensureIndexes(): Promise<void> {
    await this.documents.createIndex({ _outboxPending: 1 });
  }

  async find(practiceId: string, memberId: string): Promise<StoredOutOfOffice | null> {
    const document = await this.documents.findOne({ _id: outOfOfficeId(practiceId, memberId) });
    if (!document || document.practiceId !== practiceId || document.memberId !== memberId)
      return null;
    return {
      periods: document.periods.map(periodOf),
      version: document.version,
      changedAt: document.changedAt,
    };
  }

  /**
   * Stores `stored` (version n + 1) with its event in one document write, if
   * the stored version is still n (0: none stored yet); false if it moved on.
   */
  async write(
    practiceId: string,
    memberId: string,
    stored: StoredOutOfOffice,
    event: PendingEvent,
  ): Promise<boolean> {
    const _id = outOfOfficeId(practiceId, memberId);
    const { periods, version, changedAt } = stored;
    if (version === 1) {
      try {
        await this.writes.insert({ _id, practiceId, memberId, periods, version, changedAt }, [
          event,
        ]);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    return this.writes.update(
      _id,
      { version: version - 1 },
      { $set: { periods, version, changedAt } },
      [event],
    );
  }
}
