import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import {
  OutboxCollection,
  type DocumentLocks,
  type OutboxFields,
  type PendingEvent,
} from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { Collection, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import type { AudienceMember } from '../domain/thread-audience.js';
import type { ThreadState } from '../domain/thread-state.js';

export const THREADS_COLLECTION = 'threads';

/**
 * One document per thread, `_id` = thread id, its state in top-level fields
 * so that the lookups FerretDB pushes down (equality on top-level fields,
 * ADR 0004) find the threads a directory or settings change concerns.
 */
interface ThreadDocument extends ThreadState, Partial<OutboxFields> {
  _id: string;
  /** Derived, for the equality lookups: routed (not waiting for its group), and assigned. */
  routed: boolean;
  assigned: boolean;
  /** Grows with every write (events or not): the compare-and-set of every update. */
  revision: number;
  /** The audience last published (ThreadAudienceChanged); absent on threads written before it. */
  audience?: PublishedAudience;
}

/** The audience of a thread as last published, and its version (0: none published yet). */
export interface PublishedAudience {
  version: number;
  members: AudienceMember[];
}

export const NO_AUDIENCE: PublishedAudience = { version: 0, members: [] };

export interface StoredThread {
  state: ThreadState;
  revision: number;
  audience: PublishedAudience;
}

const DUPLICATE_KEY = 11000;

function toDocument(
  state: ThreadState,
  revision: number,
  audience: PublishedAudience,
): Omit<ThreadDocument, '_id'> {
  return {
    ...state,
    routed: state.routing !== null,
    assigned: state.assigneeMemberId !== null,
    revision,
    audience,
  };
}

function toState(document: ThreadDocument): ThreadState {
  return {
    practiceId: document.practiceId,
    threadId: document.threadId,
    patientId: document.patientId,
    routing: document.routing,
    groupId: document.groupId,
    groupName: document.groupName,
    addresseeMemberId: document.addresseeMemberId,
    assigneeMemberId: document.assigneeMemberId,
    status: document.status,
    trashed: document.trashed,
    version: document.version,
    timeline: document.timeline,
    messageIds: document.messageIds,
  };
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
    await this.threads.createIndex({ assigneeMemberId: 1 });
    await this.threads.createIndex({ groupId: 1 });
    await this.threads.createIndex({ patientId: 1 });
    await this.threads.createIndex({ addresseeMemberId: 1 });
    await this.threads.createIndex({ _outboxPending: 1 });
  }

  /** A thread of this practice; another practice's thread is as absent as a missing one. */
  async find(practiceId: string, threadId: string): Promise<StoredThread | null> {
    const document = await this.threads.findOne({ _id: threadId });
    if (!document || document.practiceId !== practiceId) return null;
    return {
      state: toState(document),
      revision: document.revision,
      audience: document.audience ?? NO_AUDIENCE,
    };
  }

  /** Inserts a new thread with its events; false if a thread with this id exists already. */
  async insert(
    state: ThreadState,
    audience: PublishedAudience,
    events: PendingEvent[],
  ): Promise<boolean> {
    try {
      await this.writes.insert({ _id: state.threadId, ...toDocument(state, 1, audience) }, events);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  /**
   * Replaces the thread's state and appends its events if it is still at
   * `stored.revision` (compare-and-set under the document's lock); false if
   * another write came first.
   */
  async update(
    stored: StoredThread,
    next: ThreadState,
    audience: PublishedAudience,
    events: PendingEvent[],
  ): Promise<boolean> {
    return this.writes.update(
      next.threadId,
      { revision: stored.revision } as Filter<ThreadDocument>,
      { $set: toDocument(next, stored.revision + 1, audience) },
      events,
    );
  }

  /** Ids of the practice's threads assigned to the member. */
  assignedTo(practiceId: string, memberId: string): Promise<string[]> {
    return this.ids({ practiceId, assigneeMemberId: memberId });
  }

  /** Ids of the practice's direct messages to the member. */
  addressedTo(practiceId: string, memberId: string): Promise<string[]> {
    return this.ids({ practiceId, addresseeMemberId: memberId });
  }

  /** Ids of every thread of the group. */
  ofGroup(practiceId: string, groupId: string): Promise<string[]> {
    return this.ids({ practiceId, groupId });
  }

  /** Ids of every thread of the patient. */
  ofPatient(practiceId: string, patientId: string): Promise<string[]> {
    return this.ids({ practiceId, patientId });
  }

  /** Ids of the group's threads still waiting for the group to be known. */
  waitingForGroup(practiceId: string, groupId: string): Promise<string[]> {
    return this.ids({ practiceId, groupId, routed: false });
  }

  private async ids(filter: Filter<ThreadDocument>): Promise<string[]> {
    const documents = await this.threads.find(filter, { projection: { _id: 1 } }).toArray();
    return documents.map((document) => document._id);
  }
}
