import { inParallel } from '@gm/messaging';
import type { Collection, Db, Filter } from 'mongodb';
import { threadProgress, type ProgressFact, type ThreadProgress } from '../domain/progress-fact.js';
import type { StatusCounts } from '../domain/progress-report.js';
import type { ReportPeriod } from '../domain/report-period.js';

type FactDocument = ProgressFact & { _id: string };
/** `waiting` is derived (Not Replied, not in Trash), for the backlog's equality lookup. */
type ThreadDocument = ThreadProgress & { _id: string; waiting: boolean };

/**
 * The indexes the report queries name as hints (ADR 0015): equality on the
 * practice (and group), then the time range; every field a single string
 * or boolean (or null).
 */
export const FACT_INDEXES = {
  byGroup: { practiceId: 1, groupId: 1, occurredAt: 1 },
  byPractice: { practiceId: 1, occurredAt: 1 },
  byThread: { threadId: 1 },
} as const;
export const THREAD_INDEXES = {
  byGroup: { practiceId: 1, groupId: 1, waiting: 1 },
  byPractice: { practiceId: 1, waiting: 1 },
} as const;

const DUPLICATE_KEY = 11000;
/** Threads folded at once: a rebuild's batch touches hundreds, and FerretDB's pool is finite. */
const FOLD_CONCURRENCY = 2;

/** The scope a query reads: one group's (null: the direct messages), or the practice's. */
export type StoreScope = { practiceId: string; groupId?: string | null };

const scoped = ({ practiceId, groupId }: StoreScope) =>
  groupId === undefined ? { practiceId } : { practiceId, groupId };

/**
 * The progress projection of one generation of the read model
 * (`progress_facts_g<n>`, `progress_threads_g<n>`), rebuilt with it (ADR
 * 0012): every analytics fact once, by (thread, sequence), and each
 * thread as its facts leave it.
 */
export class ProgressStore {
  readonly facts: Collection<FactDocument>;
  readonly threads: Collection<ThreadDocument>;

  constructor(db: Db, generation: number) {
    this.facts = db.collection<FactDocument>(`progress_facts_g${generation}`);
    this.threads = db.collection<ThreadDocument>(`progress_threads_g${generation}`);
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.facts.createIndex(FACT_INDEXES.byGroup, { name: 'by_group' }),
      this.facts.createIndex(FACT_INDEXES.byPractice, { name: 'by_practice' }),
      this.facts.createIndex(FACT_INDEXES.byThread, { name: 'by_thread' }),
    ]);
    await Promise.all([
      this.threads.createIndex(THREAD_INDEXES.byGroup, { name: 'by_group' }),
      this.threads.createIndex(THREAD_INDEXES.byPractice, { name: 'by_practice' }),
    ]);
  }

  async drop(): Promise<void> {
    await Promise.all([
      this.facts.drop().catch(() => undefined),
      this.threads.drop().catch(() => undefined),
    ]);
  }

  /**
   * Stores facts (a repeat is a no-op), then folds each thread they touch
   * from all its facts stored. A fold replaces the thread's document only if
   * it has come as far (same last sequence, or further), so a fold of fewer
   * facts racing a later one cannot win.
   *
   * Plain inserts and single replaces: on the native stack, a bulk of upserts
   * that match existing documents keeps one of FerretDB's PostgreSQL
   * connections per operation, and 50 of them wedge it (ADR 0024).
   */
  async record(facts: readonly ProgressFact[]): Promise<void> {
    if (!facts.length) return;
    const documents = facts.map((fact) => ({ _id: `${fact.threadId}:${fact.sequence}`, ...fact }));
    await this.facts.insertMany(documents, { ordered: false }).catch(onlyDuplicates);
    // One equality lookup per thread (FerretDB serves those from the index; an $in it would scan).
    const threadIds = [...new Set(facts.map((fact) => fact.threadId))];
    await inParallel(threadIds, FOLD_CONCURRENCY, async (threadId) => {
      const all = await this.facts.find({ threadId }).hint(FACT_INDEXES.byThread).toArray();
      await this.fold(threadProgress(all.map(factOf)));
    });
  }

  private async fold(progress: ThreadProgress): Promise<void> {
    const document: ThreadDocument = {
      _id: progress.threadId,
      ...progress,
      waiting: !progress.trashed && progress.status === 'not-replied',
    };
    await this.threads
      .replaceOne({ _id: progress.threadId, sequence: { $lte: progress.sequence } }, document, {
        upsert: true,
      })
      // Stored further already: the upsert's insert found the id taken.
      .catch(onlyDuplicates);
  }

  /** The scope's facts with `from <= occurredAt < to`. */
  async factsIn(scope: StoreScope, period: ReportPeriod): Promise<ProgressFact[]> {
    const filter: Filter<FactDocument> = {
      ...scoped(scope),
      occurredAt: { $gte: period.from, $lt: period.to },
    };
    const hint = scope.groupId === undefined ? FACT_INDEXES.byPractice : FACT_INDEXES.byGroup;
    const found = await this.facts.find(filter).hint(hint).toArray();
    return found.map(factOf);
  }

  /** The scope's threads a patient waits on now. */
  async waiting(scope: StoreScope): Promise<ThreadProgress[]> {
    const found = await this.threads
      .find({ ...scoped(scope), waiting: true })
      .hint(scope.groupId === undefined ? THREAD_INDEXES.byPractice : THREAD_INDEXES.byGroup)
      .toArray();
    return found.map(progressOf);
  }

  /** How many of the scope's threads are Replied, and in Trash, now. */
  async counts(scope: StoreScope): Promise<StatusCounts> {
    const hint = scope.groupId === undefined ? THREAD_INDEXES.byPractice : THREAD_INDEXES.byGroup;
    const [notWaiting, trash] = await Promise.all([
      this.threads.countDocuments({ ...scoped(scope), waiting: false }, { hint }),
      this.threads.countDocuments({ ...scoped(scope), waiting: false, trashed: true }, { hint }),
    ]);
    return { replied: notWaiting - trash, trash };
  }
}

/** A stored fact; fields a newer writer left out read as null. */
/** A write whose only failures are duplicate keys did what it had to: the rest is already there. */
function onlyDuplicates(error: unknown): void {
  const { code, writeErrors } = error as {
    code?: number;
    writeErrors?: { code?: number }[] | { code?: number };
  };
  const failures = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  const codes = failures.length ? failures.map((failure) => failure.code) : [code];
  if (codes.some((failed) => failed !== DUPLICATE_KEY)) throw error;
}

function factOf(document: FactDocument): ProgressFact {
  return {
    practiceId: document.practiceId,
    threadId: document.threadId,
    sequence: document.sequence,
    fact: document.fact,
    occurredAt: document.occurredAt,
    openedAt: document.openedAt,
    groupId: document.groupId ?? null,
    status: document.status,
    trashed: document.trashed,
    assigneeMemberId: document.assigneeMemberId ?? null,
    previousAssigneeMemberId: document.previousAssigneeMemberId ?? null,
    actorMemberId: document.actorMemberId ?? null,
    timeToFirstReplyMs: document.timeToFirstReplyMs ?? null,
    withinTarget: document.withinTarget ?? null,
  };
}

function progressOf(document: ThreadDocument): ThreadProgress {
  return {
    practiceId: document.practiceId,
    threadId: document.threadId,
    groupId: document.groupId ?? null,
    openedAt: document.openedAt,
    status: document.status,
    trashed: document.trashed,
    assigneeMemberId: document.assigneeMemberId ?? null,
    waitingSince: document.waitingSince ?? null,
    sequence: document.sequence,
  };
}
