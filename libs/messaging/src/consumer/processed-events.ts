import { isDuplicateKeyError } from '../duplicate-key.js';
import type { Collection } from 'mongodb';

/** Remembers the ids of events a consumer group has applied. */
export interface ProcessedEvents {
  has(eventId: string): Promise<boolean>;
  remember(eventId: string): Promise<void>;
  /** Forgets ids applied before `before`; returns how many. */
  forget(before: Date): Promise<number>;
}

interface ProcessedEventDocument {
  _id: string;
  processedAt: Date;
}

/**
 * Processed event ids in the consuming service's own database, one document
 * per id (the `_id` is the unique index). It is written after the handler's
 * writes, so a crash in between re-runs the handler: handlers are idempotent
 * too, and this store spares them the repeat work. It is bounded by
 * `forget`: Kafka redelivers what was not committed, minutes at most, so
 * ids older than a retention far above that are never asked for again
 * (and if a group is reset, the handlers' idempotency still holds).
 */
export class MongoProcessedEvents implements ProcessedEvents {
  constructor(private readonly collection: Collection<ProcessedEventDocument>) {}

  async has(eventId: string): Promise<boolean> {
    // A lookup by _id: the one query FerretDB always answers from its primary key.
    return (await this.collection.findOne({ _id: eventId }, { projection: { _id: 1 } })) !== null;
  }

  async remember(eventId: string): Promise<void> {
    try {
      await this.collection.insertOne({ _id: eventId, processedAt: new Date() });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async forget(before: Date): Promise<number> {
    return (await this.collection.deleteMany({ processedAt: { $lt: before } })).deletedCount;
  }
}
