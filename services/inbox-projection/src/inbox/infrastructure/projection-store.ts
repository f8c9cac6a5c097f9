import type { Collection, Db } from 'mongodb';
import { ProgressStore } from '../../progress-reports/infrastructure/progress-store.js';
import type { InboxEntry } from '../domain/inbox-entry.js';
import type { ThreadView } from '../domain/thread-view.js';

export type ThreadViewDocument = ThreadView & { _id: string };

/**
 * The indexes that order a member's inbox pages. Page queries name theirs as
 * a hint: on MongoDB it picks the index, on the native stack's FerretDB it
 * lets the index answer in order, filter, sort and limit (ADR 0015); every
 * field in them holds a single string or boolean.
 */
export const PAGE_INDEXES = {
  byBucket: { practiceId: 1, memberId: 1, groupKey: 1, bucket: 1, sortKey: -1 },
  all: { practiceId: 1, memberId: 1, groupKey: 1, inAll: 1, sortKey: -1 },
  overdue: { practiceId: 1, memberId: 1, groupKey: 1, overdue: 1, sortKey: -1 },
} as const;

/**
 * A patient's threads, read whole for the mailbox; hinted like the pages, so
 * that the plan does not hang on the table's statistics (a patient with a
 * few threads among thousands was once read by a whole-table scan).
 */
export const PATIENT_INDEX = { practiceId: 1, patientId: 1 } as const;

/**
 * The collections of one generation of the projection (`thread_views_g<n>`,
 * `inbox_entries_g<n>`). A rebuild fills generation n+1 while reads go on
 * against n, then moves the pointer (ADR 0012).
 */
export class ProjectionStore {
  readonly views: Collection<ThreadViewDocument>;
  readonly entries: Collection<InboxEntry>;
  /** The progress reports' projection of the analytics stream, rebuilt with the rest. */
  readonly progress: ProgressStore;

  constructor(
    readonly db: Db,
    readonly generation: number,
  ) {
    this.views = db.collection<ThreadViewDocument>(`thread_views_g${generation}`);
    this.entries = db.collection<InboxEntry>(`inbox_entries_g${generation}`);
    this.progress = new ProgressStore(db, generation);
  }

  /** One index per query; all are equality prefixes (FerretDB pushes those down, ADR 0004). */
  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.views.createIndex({ practiceId: 1, groupId: 1 }, { name: 'by_group' }),
      this.views.createIndex(PATIENT_INDEX, { name: 'by_patient' }),
      this.views.createIndex({ practiceId: 1, assigneeMemberId: 1 }, { name: 'by_assignee' }),
      this.views.createIndex({ practiceId: 1, addresseeMemberId: 1 }, { name: 'by_addressee' }),
      this.entries.createIndex({ threadId: 1 }, { name: 'by_thread' }),
      this.entries.createIndex({ practiceId: 1, memberId: 1 }, { name: 'by_member' }),
      this.entries.createIndex(PAGE_INDEXES.byBucket, { name: 'page_by_bucket' }),
      this.entries.createIndex(PAGE_INDEXES.all, { name: 'page_all' }),
      this.entries.createIndex(PAGE_INDEXES.overdue, { name: 'page_overdue' }),
    ]);
    // After the others: FerretDB creates each new collection's table, and fewer at once is gentler.
    await this.progress.ensureIndexes();
  }

  async drop(): Promise<void> {
    await Promise.all([
      this.views.drop().catch(() => undefined),
      this.entries.drop().catch(() => undefined),
      this.progress.drop(),
    ]);
  }
}

interface PointerDocument {
  _id: 'pointer';
  active: number;
  building: number | null;
}

/** How long a process trusts its copy of the pointer; a rebuild waits longer before it counts on it. */
export const POINTER_TTL_MS = 500;

/**
 * The active generation (read by every request and every event, cached for
 * POINTER_TTL_MS) and the one a rebuild is filling, which the live consumer
 * writes too while the rebuild runs.
 */
export class Generations {
  private readonly pointers: Collection<PointerDocument>;
  private cached?: { value: { active: number; building: number | null }; at: number };
  private readonly stores = new Map<number, ProjectionStore>();

  constructor(private readonly db: Db) {
    this.pointers = db.collection<PointerDocument>('projection_generation');
  }

  store(generation: number): ProjectionStore {
    let store = this.stores.get(generation);
    if (!store) {
      store = new ProjectionStore(this.db, generation);
      this.stores.set(generation, store);
    }
    return store;
  }

  async pointer(): Promise<{ active: number; building: number | null }> {
    if (this.cached && Date.now() - this.cached.at < POINTER_TTL_MS) return this.cached.value;
    const document = await this.pointers.findOne({ _id: 'pointer' });
    const value = document
      ? { active: document.active, building: document.building }
      : { active: 1, building: null };
    this.cached = { value, at: Date.now() };
    return value;
  }

  async active(): Promise<ProjectionStore> {
    return this.store((await this.pointer()).active);
  }

  /** The stores the consumer writes: the active one, and the one being rebuilt. */
  async writable(): Promise<
    { store: ProjectionStore; live: boolean; readMarkersFrom?: ProjectionStore }[]
  > {
    const { active, building } = await this.pointer();
    const live = this.store(active);
    const stores: { store: ProjectionStore; live: boolean; readMarkersFrom?: ProjectionStore }[] = [
      { store: live, live: true },
    ];
    if (building !== null) {
      stores.push({ store: this.store(building), live: false, readMarkersFrom: live });
    }
    return stores;
  }

  async initialise(): Promise<void> {
    await this.pointers
      .insertOne({ _id: 'pointer', active: 1, building: null })
      .catch((error: { code?: number }) => {
        if (error.code !== 11000) throw error;
      });
    await this.store((await this.pointer()).active).ensureIndexes();
  }

  /** Rebuild and swap are one process at a time (guarded by the caller); plain writes suffice. */
  async setPointer(active: number, building: number | null): Promise<void> {
    await this.pointers.replaceOne({ _id: 'pointer' }, { active, building }, { upsert: true });
    this.cached = { value: { active, building }, at: Date.now() };
  }
}

export function withoutId(document: ThreadViewDocument): ThreadView {
  const { _id: _ignored, ...view } = document;
  // Views stored before audiences, targets, acknowledgements or notes existed hold none of them.
  return {
    ...view,
    audience: view.audience ?? [],
    audienceVersion: view.audienceVersion ?? 0,
    overdue: view.overdue ?? false,
    overdueVersion: view.overdueVersion ?? 0,
    acknowledgements: view.acknowledgements ?? [],
    notes: view.notes ?? [],
  };
}
