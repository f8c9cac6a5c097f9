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
import type { ThreadAccess } from '../domain/thread-access.js';
import type { AudienceMember } from '../domain/thread-audience.js';
import type { ThreadState } from '../domain/thread-state.js';
import { isQueued } from '../domain/automatic-assignment.js';
import { isWaiting, nextDeadline } from '../domain/thread-workflow.js';

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
  /** Derived: the next deadline that runs (a string, or null), for the timer sweep's range query. */
  dueAt: string | null;
  /** Derived: waiting unassigned in its group's queue (automatic assignment takes the oldest). */
  queued: boolean;
  /** Derived: assigned and waiting for its assignee's reply (what a member's capacity counts). */
  openAssigned: boolean;
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

/** What a directory or settings change needs to know of a thread to tell whether it alters it. */
export interface ThreadAccessRecord extends ThreadAccess {
  practiceId: string;
  threadId: string;
  patientId: string;
  audience: readonly AudienceMember[];
}

const ACCESS_FIELDS = {
  practiceId: 1,
  threadId: 1,
  patientId: 1,
  routing: 1,
  groupId: 1,
  addresseeMemberId: 1,
  assigneeMemberId: 1,
  audience: 1,
} as const;

const DUPLICATE_KEY = 11000;

/** The stored form of a thread (without its `_id` and outbox): also what the benchmark's history loader writes. */
export function toDocument(
  state: ThreadState,
  revision: number,
  audience: PublishedAudience,
): Omit<ThreadDocument, '_id'> {
  return {
    ...state,
    routed: state.routing !== null,
    assigned: state.assigneeMemberId !== null,
    dueAt: nextDeadline(state),
    queued: isQueued(state),
    openAssigned: state.assigneeMemberId !== null && isWaiting(state),
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
    // Threads stored before team workflow have no deadlines.
    awaitingSince: document.awaitingSince ?? null,
    responseTarget: document.responseTarget ?? null,
    overdue: document.overdue ?? false,
    silentBy: document.silentBy ?? null,
    ...(document.patientContext ? { patientContext: document.patientContext } : {}),
  };
}

/**
 * The index the timer sweep reads in order (hinted: on the native stack
 * FerretDB answers it from the btree, ADR 0015). `dueAt` holds a string or
 * null, never an array, as the hint requires.
 */
export const DUE_INDEX = { dueAt: 1 } as const;

/** A group's queue, oldest wait first (hinted like DUE_INDEX: strings and booleans only). */
export const QUEUE_INDEX = { practiceId: 1, groupId: 1, queued: 1, awaitingSince: 1 } as const;
/** A group's open assigned threads, by assignee. */
export const OPEN_ASSIGNED_INDEX = { practiceId: 1, groupId: 1, openAssigned: 1 } as const;

/** A thread whose deadline has come. */
export interface DueThread {
  practiceId: string;
  threadId: string;
  dueAt: string;
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
    await this.threads.createIndex(DUE_INDEX);
    await this.threads.createIndex(QUEUE_INDEX);
    await this.threads.createIndex(OPEN_ASSIGNED_INDEX);
  }

  /** The ids of the group's queued threads, the longest waiting first. */
  async queue(practiceId: string, groupId: string, limit: number): Promise<string[]> {
    const documents = await this.threads
      .find({ practiceId, groupId, queued: true }, { projection: { threadId: 1 } })
      .hint(QUEUE_INDEX)
      .sort({ awaitingSince: 1 })
      .limit(limit)
      .toArray();
    return documents.map((d) => d.threadId);
  }

  /** How many open assigned threads of the group each member holds (members holding none are absent). */
  async openAssignedCounts(practiceId: string, groupId: string): Promise<Map<string, number>> {
    const documents = await this.threads
      .find({ practiceId, groupId, openAssigned: true }, { projection: { assigneeMemberId: 1 } })
      .hint(OPEN_ASSIGNED_INDEX)
      .toArray();
    const counts = new Map<string, number>();
    for (const { assigneeMemberId } of documents) {
      if (assigneeMemberId) counts.set(assigneeMemberId, (counts.get(assigneeMemberId) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * The threads whose next deadline is at or before `now`, earliest first.
   * The lower bound keeps the range to strings: most threads have no
   * deadline (null), and PostgreSQL orders jsonb null below every string,
   * so `<= now` alone would walk all of them in the index on every round.
   */
  async due(now: string, limit: number): Promise<DueThread[]> {
    const documents = await this.threads
      .find(
        { dueAt: { $gt: '', $lte: now } },
        { projection: { practiceId: 1, threadId: 1, dueAt: 1 } },
      )
      .hint(DUE_INDEX)
      .sort(DUE_INDEX)
      .limit(limit)
      .toArray();
    return documents.map(({ practiceId, threadId, dueAt }) => ({
      practiceId,
      threadId,
      dueAt: dueAt!,
    }));
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

  /** Inserts new threads with their events at once; answers the ids inserted (an existing id is left out). */
  insertMany(
    threads: { state: ThreadState; audience: PublishedAudience; events: PendingEvent[] }[],
  ): Promise<Set<string>> {
    return this.writes.insertMany(
      threads.map(({ state, audience, events }) => ({
        document: { _id: state.threadId, ...toDocument(state, 1, audience) },
        events,
      })),
    );
  }

  /** Which of these thread ids are stored (of any practice): lookups by `_id`, in parallel. */
  async existing(threadIds: string[]): Promise<Set<string>> {
    const found = await Promise.all(
      threadIds.map((_id) => this.threads.findOne({ _id }, { projection: { _id: 1 } })),
    );
    return new Set(found.flatMap((document) => (document ? [document._id] : [])));
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

  /** The practice's threads assigned to the member. */
  assignedTo(practiceId: string, memberId: string): Promise<ThreadAccessRecord[]> {
    return this.access({ practiceId, assigneeMemberId: memberId });
  }

  /** The practice's direct messages to the member. */
  addressedTo(practiceId: string, memberId: string): Promise<ThreadAccessRecord[]> {
    return this.access({ practiceId, addresseeMemberId: memberId });
  }

  /** Every thread of the group. */
  ofGroup(practiceId: string, groupId: string): Promise<ThreadAccessRecord[]> {
    return this.access({ practiceId, groupId });
  }

  /** Every thread of the patient. */
  ofPatient(practiceId: string, patientId: string): Promise<ThreadAccessRecord[]> {
    return this.access({ practiceId, patientId });
  }

  /** Ids of the group's threads still waiting for the group to be known. */
  waitingForGroup(practiceId: string, groupId: string): Promise<string[]> {
    return this.ids({ practiceId, groupId, routed: false });
  }

  /** The access fields only: a group's timelines and message ids stay in the store. */
  private async access(filter: Filter<ThreadDocument>): Promise<ThreadAccessRecord[]> {
    const documents = await this.threads.find(filter, { projection: ACCESS_FIELDS }).toArray();
    return documents.map((document) => ({
      practiceId: document.practiceId,
      threadId: document.threadId,
      patientId: document.patientId,
      routing: document.routing,
      groupId: document.groupId,
      addresseeMemberId: document.addresseeMemberId,
      assigneeMemberId: document.assigneeMemberId,
      audience: (document.audience ?? NO_AUDIENCE).members,
    }));
  }

  private async ids(filter: Filter<ThreadDocument>): Promise<string[]> {
    const documents = await this.threads.find(filter, { projection: { _id: 1 } }).toArray();
    return documents.map((document) => document._id);
  }
}
