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
import type { Collection, Document, UpdateFilter } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Thread, ThreadMessage } from '../domain/thread.js';

export const THREADS_COLLECTION = 'patient_threads';

/** A thread with its pending MessageSent events (the outbox, ADR 0005). No message bodies. */
interface ThreadDocument extends Partial<OutboxFields>, Omit<Thread, 'threadId'> {
  _id: string;
}

@Injectable()
export class ThreadsRepository {
  private readonly threads: Collection<ThreadDocument>;
  private readonly writes: OutboxCollection<ThreadDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(DOCUMENT_LOCKS) locks: DocumentLocks,
  ) {
    this.threads = connection.collection(
      THREADS_COLLECTION,
    ) as unknown as Collection<ThreadDocument>;
    this.writes = new OutboxCollection(this.threads, locks);
  }

  async ensureIndexes(): Promise<void> {
    await this.threads.createIndex({ _outboxPending: 1 });
  }

  /** Any thread with this id; whose it is, the domain decides (ownThread). */
  async find(threadId: string): Promise<Thread | null> {
    const document = await this.threads.findOne(
      { _id: threadId },
      { projection: { _outbox: 0, _outboxPending: 0, _outboxSeq: 0 } },
    );
    if (!document) return null;
    const { _id, practiceId, patientId, recipient, subject, messages, version } = document;
    return { threadId: _id, practiceId, patientId, recipient, subject, messages, version };
  }

  /** Writes a new thread and its events at once; false if a thread with this id exists already. */
  async insert(thread: Thread, events: PendingEvent[]): Promise<boolean> {
    const { threadId, ...state } = thread;
    try {
      await this.writes.insert({ _id: threadId, ...state }, events);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Appends `thread`'s newest message and its events if the stored thread is
   * still at the version before it (compare-and-set under the document lock);
   * false if another message got in first.
   */
  async appendMessage(thread: Thread, events: PendingEvent[]): Promise<boolean> {
    const message = thread.messages.at(-1) as ThreadMessage;
    // The driver's typing of $push rejects fields of a schemaless Document.
    const update = { $set: { version: thread.version }, $push: { messages: message } };
    return this.writes.update(
      thread.threadId,
      { version: thread.version - 1, practiceId: thread.practiceId, patientId: thread.patientId },
      update as unknown as UpdateFilter<Document>,
      events,
    );
  }
}
