import { MemberOutOfOfficeChangedV1, TOPICS, type EventEnvelope } from '@gm/contracts';
import {
  oneAtATime,
  versionCheckedUpsert,
  type ApplyOutcome,
  type StoredState,
} from '@gm/directory-replica';
import { UnprocessableEvent } from '@gm/messaging';
import type { Collection, Db } from 'mongodb';

export const OUT_OF_OFFICE_TOPICS: string[] = [TOPICS.outOfOffice.name];

export type OutOfOfficePeriod = MemberOutOfOfficeChangedV1['periods'][number];

/** A member of the practice with out-of-office periods, as group-config published them. */
export interface MemberAbsences {
  practiceId: string;
  memberId: string;
  periods: OutOfOfficePeriod[];
  version: number;
}

/** A member whose absences must be acted on: a period began or ended, or the periods changed. */
export interface DueAbsences {
  practiceId: string;
  memberId: string;
  dueAt: string;
}

/** The period the member is in at `now`, if any (start included, end excluded). */
export const periodAt = (periods: readonly OutOfOfficePeriod[], now: string) =>
  periods.find((p) => p.startsAt <= now && now < p.endsAt) ?? null;

/** The next instant after `now` at which a period begins or ends; null when none is left. */
export function nextBoundary(periods: readonly OutOfOfficePeriod[], now: string): string | null {
  const ahead = periods.flatMap((p) => [p.startsAt, p.endsAt]).filter((at) => at > now);
  return ahead.length ? ahead.sort()[0]! : null;
}

/** The sweep reads this in order (hinted, ADR 0015: `dueAt` is a string or null). */
export const ABSENCES_DUE_INDEX = { dueAt: 1 } as const;
/** A practice's members with periods (hinted: one read per decision). */
export const ABSENCES_OF_PRACTICE_INDEX = { practiceId: 1 } as const;

/**
 * Members' out-of-office periods, version-checked full states like the
 * other replicas, plus `dueAt`: when routing must next decide again what
 * the member's absences mean for their threads: the next start or end of
 * a period (the consumer acts on a new state itself, at once). Like a thread's
 * deadline it lives in the store, so it survives restarts and is acted on
 * by whichever replica holds the timer's lease.
 */
export class OutOfOfficeReplica {
  private readonly absences: Collection<StoredState>;

  constructor(private readonly db: Db) {
    this.absences = db.collection<StoredState>('settings_out_of_office');
  }

  handles(type: string): boolean {
    return type === MemberOutOfOfficeChangedV1.type;
  }

  apply(envelope: EventEnvelope, now = new Date().toISOString()): Promise<ApplyOutcome> {
    if (!this.handles(envelope.type)) {
      throw new UnprocessableEvent(`${envelope.type} is not an out-of-office event`);
    }
    const data = envelope.data as MemberOutOfOfficeChangedV1;
    const _id = `${data.practiceId}:${data.memberId}`;
    return oneAtATime(`${this.db.databaseName}/out-of-office/${_id}`, () =>
      versionCheckedUpsert(this.absences, _id, { ...data, dueAt: nextBoundary(data.periods, now) }),
    );
  }

  async ensureIndexes(): Promise<void> {
    await this.absences.createIndex(ABSENCES_DUE_INDEX);
    await this.absences.createIndex(ABSENCES_OF_PRACTICE_INDEX);
  }

  /** The practice's members who ever set periods (their current and future ones; maybe none left). */
  async ofPractice(practiceId: string): Promise<MemberAbsences[]> {
    const documents = await this.absences
      .find({ practiceId }, { projection: { practiceId: 1, memberId: 1, periods: 1, version: 1 } })
      .hint(ABSENCES_OF_PRACTICE_INDEX)
      .toArray();
    return documents.map((d) => d as unknown as MemberAbsences);
  }

  /** Members whose absences are due at `now`, earliest first (the range keeps to strings, as the thread sweep's). */
  async due(now: string, limit: number): Promise<DueAbsences[]> {
    const documents = await this.absences
      .find(
        { dueAt: { $gt: '', $lte: now } },
        { projection: { practiceId: 1, memberId: 1, dueAt: 1 } },
      )
      .hint(ABSENCES_DUE_INDEX)
      .sort(ABSENCES_DUE_INDEX)
      .limit(limit)
      .toArray();
    return documents.map((d) => d as unknown as DueAbsences);
  }

  /**
   * Acted on at `now`: due next at the following boundary. Only if still
   * due at `taken` (a new state applied meanwhile is due at once, and
   * stays so).
   */
  async settle({ practiceId, memberId, dueAt: taken }: DueAbsences, now: string): Promise<void> {
    const _id = `${practiceId}:${memberId}`;
    await oneAtATime(`${this.db.databaseName}/out-of-office/${_id}`, async () => {
      const document = await this.absences.findOne({ _id });
      if (!document || document.dueAt !== taken) return;
      const next = nextBoundary((document as unknown as MemberAbsences).periods, now);
      await this.absences.updateOne({ _id, dueAt: taken }, { $set: { dueAt: next } });
    });
  }
}
