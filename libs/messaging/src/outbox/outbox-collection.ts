import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import type { DocumentLocks } from '../lease/redis-document-locks.js';
import { documentLockKey } from './outbox-relay.js';
import { outboxForInsert, withOutbox, type PendingEvent } from './outbox-writes.js';

/**
 * The way commands write a document that carries an outbox: the state change
 * and its events in one document operation, and updates under the
 * document's lock, which the relay takes too (FerretDB; ADR 0004).
 */
type StringIdDocument = Document & { _id: string };

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
      return result.matchedCount === 1;
    });
  }
}
