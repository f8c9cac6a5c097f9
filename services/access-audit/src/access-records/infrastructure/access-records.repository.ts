import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Collection, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import {
  dayOf,
  daysNewestFirst,
  pageOf,
  type AccessOutcome,
  type AccessRecord,
  type AuditCursor,
  type AuditWindow,
} from '../domain/access-record.js';

export const ACCESS_RECORDS_COLLECTION = 'access_records';

/**
 * One document per record, `_id` = record id, never updated nor deleted:
 * this class has no method that could. The equality fields a query uses
 * (practice, UTC day, thread, actor, action, outcome) are top-level so that
 * FerretDB pushes them down (ADR 0004). `threadIds` is an array: FerretDB
 * pushes an equality on it down as containment, which its GIN companion
 * index serves (ADR 0015). Documents stored before AccessRecorded v2 have
 * neither `threadIds`, `outcome`, `refusal` nor `listing`: they read as a
 * served access to their one thread, and the queries below find them.
 */
interface AccessRecordDocument {
  _id: string;
  practiceId: string;
  day: string;
  actorKind: AccessRecord['actor']['kind'];
  actorId: string;
  action: string;
  threadId: string | null;
  threadIds?: string[];
  outcome?: AccessOutcome;
  refusal?: string | null;
  listing?: AccessRecord['listing'];
  occurredAt: string;
  source: AccessRecord['source'];
  correlationId: string;
  recordedBy: string;
  /** When this service stored it (the trail's own clock, next to the reporter's). */
  storedAt: string;
}

export interface AccessRecordFilter {
  threadId?: string;
  actorId?: string;
  action?: string;
  outcome?: AccessOutcome;
}

const DUPLICATE_KEY = 11000;
/** Days looked up at once: a week of lookups in flight per query. */
const DAYS_AT_ONCE = 7;

function toRecord(document: AccessRecordDocument): AccessRecord {
  return {
    recordId: document._id,
    practiceId: document.practiceId,
    actor: { kind: document.actorKind, id: document.actorId },
    action: document.action,
    threadId: document.threadId,
    threadIds: document.threadIds ?? (document.threadId === null ? [] : [document.threadId]),
    outcome: document.outcome ?? 'served',
    refusal: document.refusal ?? null,
    listing: document.listing ?? null,
    occurredAt: document.occurredAt,
    source: { ip: document.source.ip, userAgent: document.source.userAgent },
    correlationId: document.correlationId,
    recordedBy: document.recordedBy,
  };
}

@Injectable()
export class AccessRecordsRepository {
  private readonly records: Collection<AccessRecordDocument>;

  constructor(@InjectConnection() connection: Connection) {
    this.records = connection.collection(
      ACCESS_RECORDS_COLLECTION,
    ) as unknown as Collection<AccessRecordDocument>;
  }

  async ensureIndexes(): Promise<void> {
    // The MongoDB shape of every query: equality prefix, then the time order.
    await this.records.createIndex({ practiceId: 1, day: 1, occurredAt: -1, _id: -1 });
    await this.records.createIndex({ practiceId: 1, threadId: 1, day: 1 });
    await this.records.createIndex({ practiceId: 1, actorId: 1, day: 1 });
    // Listings by a thread they showed (multikey), and refusals (few among many reads).
    await this.records.createIndex({ practiceId: 1, threadIds: 1, day: 1 });
    await this.records.createIndex({ practiceId: 1, outcome: 1, day: 1 });
  }

  /** Stores a record once; false if a record with its id is stored already (that one stays). */
  async insertOnce(record: AccessRecord): Promise<boolean> {
    try {
      await this.records.insertOne({
        _id: record.recordId,
        practiceId: record.practiceId,
        day: dayOf(record.occurredAt),
        actorKind: record.actor.kind,
        actorId: record.actor.id,
        action: record.action,
        threadId: record.threadId,
        threadIds: record.threadIds,
        outcome: record.outcome,
        refusal: record.refusal,
        listing: record.listing,
        occurredAt: record.occurredAt,
        source: record.source,
        correlationId: record.correlationId,
        recordedBy: record.recordedBy,
        storedAt: new Date().toISOString(),
      });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  /**
   * A page of one practice's records, newest first: one lookup per UTC day
   * of the window (newest days first, a week at a time), stopping as soon
   * as the page and one more record are found.
   */
  async page(
    practiceId: string,
    filter: AccessRecordFilter,
    window: AuditWindow,
    cursor: AuditCursor | null,
    limit: number,
  ): Promise<{ records: AccessRecord[]; nextCursor: string | null }> {
    const days = daysNewestFirst(window, cursor);
    const found: AccessRecord[] = [];
    for (let i = 0; i < days.length && found.length <= limit; i += DAYS_AT_ONCE) {
      const batch = days.slice(i, i + DAYS_AT_ONCE);
      const perDay = await Promise.all(
        batch.map((day) => this.onDay(practiceId, day, filter, window, cursor, limit + 1)),
      );
      for (const records of perDay) found.push(...records);
    }
    return pageOf(found, window, cursor, limit);
  }

  /**
   * One day's records. A thread filter is two equality lookups, both
   * indexed: the thread's own accesses by `threadId` (documents of every
   * version have it), and the listings that showed it by `threadIds`
   * (listings only, `threadId: null`, so no record is found twice).
   */
  private async onDay(
    practiceId: string,
    day: string,
    filter: AccessRecordFilter,
    window: AuditWindow,
    cursor: AuditCursor | null,
    limit: number,
  ): Promise<AccessRecord[]> {
    const { threadId } = filter;
    const threadShapes: Filter<AccessRecordDocument>[] =
      threadId === undefined ? [{}] : [{ threadId }, { threadIds: threadId, threadId: null }];
    const query: Filter<AccessRecordDocument> = {
      practiceId,
      day,
      ...(filter.actorId !== undefined ? { actorId: filter.actorId } : {}),
      ...(filter.action !== undefined ? { action: filter.action } : {}),
      // Documents stored before v2 have no outcome: they were served.
      ...(filter.outcome === 'refused' ? { outcome: 'refused' as const } : {}),
      ...(filter.outcome === 'served' ? { outcome: { $ne: 'refused' as const } } : {}),
      // Evaluated by FerretDB after the pushed-down equalities, within one day.
      occurredAt: { $gte: window.from, $lte: window.to },
      ...(cursor
        ? {
            $or: [
              { occurredAt: { $lt: cursor.occurredAt } },
              { occurredAt: cursor.occurredAt, _id: { $lt: cursor.recordId } },
            ],
          }
        : {}),
    };
    const found = await Promise.all(
      threadShapes.map((shape) =>
        this.records
          .find({ ...query, ...shape })
          .sort({ occurredAt: -1, _id: -1 })
          .limit(limit)
          .toArray(),
      ),
    );
    return found.flat().map(toRecord);
  }
}
