import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import type { DocumentLocks } from '../lease/redis-document-locks.js';
import { documentLockKey } from './outbox-relay.js';
import { noteWritten, outboxForInsert, withOutbox, type PendingEvent } from './outbox-writes.js';

/**
 * The way commands write a document that carries an outbox: the state change
 * and its events in one document operation, and updates under the
 * document's lock, which the relay takes too (FerretDB; ADR 0004).
 */
type StringIdDocument = Document & { _id: string };

const DUPLICATE_KEY = 11000;

export class OutboxCollection<D extends StringIdDocument> {
  constructor(
    readonly collection: Collection<D>,
    private readonly locks: DocumentLocks,
  ) {}

  /** Inserts a new document with its events. A duplicate `_id` fails (code 11000) and writes nothing. */
  async insert(document: D, events: PendingEvent[]): Promise<void> {
    await (this.collection as unknown as Collection<StringIdDocument>).insertOne({
      ...document,
      ...outboxForInsert(events),
    });
    noteWritten(events);
  }

  /**
   * Inserts new documents, each with its events, in one unordered bulk
   * insert: each document is still one atomic write with its events. Answers
   * the ids inserted; a document whose `_id` exists already is left out
   * (nothing of it is written), any other failure throws.
   */
  async insertMany(items: { document: D; events: PendingEvent[] }[]): Promise<Set<string>> {
    const documents = items.map(({ document, events }) => ({
      ...document,
      ...outboxForInsert(events),
    }));
    const collection = this.collection as unknown as Collection<StringIdDocument>;
    let refused = new Set<number>();
    try {
      await collection.insertMany(documents, { ordered: false });
    } catch (error) {
      const failed = (error as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
      if (!failed || failed.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      refused = new Set(failed.map((e) => e.index));
    }
    const inserted = items.filter((_, i) => !refused.has(i));
    noteWritten(inserted.flatMap(({ events }) => events));
    return new Set(inserted.map(({ document }) => document._id));
  }

  /**
   * Applies `update` and appends `events` if the document matches `_id` and
   * `condition` (a compare-and-set, e.g. on its version). False if it did not.
   */
  async update(
    id: string,
    condition: Filter<D>,
    update: UpdateFilter<Document>,
    events: PendingEvent[],
  ): Promise<boolean> {
    return this.locks.exclusive(documentLockKey(this.collection.collectionName, id), async () => {
      const filter = { ...condition, _id: id } as Filter<Document>;
      const result = await (this.collection as unknown as Collection<Document>).updateOne(
        filter,
        withOutbox(update, events),
      );
      if (result.matchedCount !== 1) return false;
      noteWritten(events);
      return true;
    });
  }
}
