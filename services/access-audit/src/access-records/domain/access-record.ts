/**
 * The access audit trail's rules: what a record is, who may read the trail,
 * and how a query walks it. Plain TypeScript (ADR 0002).
 */

export type ActorKind = 'member' | 'patient' | 'system';

export type AccessOutcome = 'served' | 'refused';

/** What a listing showed: which view, group and filter, and whether a text was searched (never the text). */
export interface AccessListing {
  view: string;
  groupId: string | null;
  filter: string | null;
  searched: boolean;
}

/** One access to a thread, or one listing of threads: who, what, when, from where. Ids only (no PHI). */
export interface AccessRecord {
  recordId: string;
  practiceId: string;
  actor: { kind: ActorKind; id: string };
  action: string;
  /** The thread accessed; null for a listing. */
  threadId: string | null;
  /** Every thread the record concerns: `[threadId]`, or the ids a listing showed, in order. */
  threadIds: string[];
  outcome: AccessOutcome;
  /** The problem code a refused access was answered with; null when served. */
  refusal: string | null;
  listing: AccessListing | null;
  occurredAt: string;
  source: { ip: string | null; userAgent: string | null };
  correlationId: string;
  /** The service that recorded it (the event's `ce_source`). */
  recordedBy: string;
}

export class AccessAuditRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: 'invalid' | 'forbidden' = 'invalid',
  ) {
    super(message);
    this.name = 'AccessAuditRuleViolation';
  }
}

/** The privilege code of Settings > Facility > Roles that opens the trail (PRIVILEGES.auditRead). */
export function assertMayReadTrail(privileges: ReadonlySet<string>, auditPrivilege: string): void {
  if (!privileges.has(auditPrivilege)) {
    throw new AccessAuditRuleViolation(
      'privilege-required',
      'Reading the access audit trail needs the audit privilege',
      'forbidden',
    );
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Without `from`, a query looks this far back from `to`. */
export const DEFAULT_WINDOW_DAYS = 90;
/** One query covers at most a year and a day: every day is one lookup (see `daysNewestFirst`). */
export const MAX_WINDOW_DAYS = 366;

export interface AuditWindow {
  /** Inclusive bounds, RFC 3339 UTC with milliseconds (the form records are stored in). */
  from: string;
  to: string;
}

function parseInstant(value: string, name: string): number {
  // RFC 3339 with a zone; Date.parse alone would also take "2025" or local times.
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
  const time = rfc3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new AccessAuditRuleViolation(
      'invalid-window',
      `${name} must be an RFC 3339 date-time with a time zone`,
    );
  }
  return time;
}

/** The time range a query covers: `to` (default now) back to `from` (default 90 days before). */
export function auditWindow(
  from: string | undefined,
  to: string | undefined,
  now: Date,
): AuditWindow {
  const end = to === undefined ? now.getTime() : parseInstant(to, 'to');
  const start =
    from === undefined ? end - DEFAULT_WINDOW_DAYS * DAY_MS : parseInstant(from, 'from');
  if (start > end) {
    throw new AccessAuditRuleViolation('invalid-window', 'from must not be after to');
  }
  if (end - start > MAX_WINDOW_DAYS * DAY_MS) {
    throw new AccessAuditRuleViolation(
      'window-too-long',
      `One query covers at most ${MAX_WINDOW_DAYS} days; page through shorter windows`,
    );
  }
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/** The UTC day a time falls on: records are bucketed by it so every lookup is an equality. */
export const dayOf = (instant: string): string => new Date(instant).toISOString().slice(0, 10);

/** Where the previous page ended: the last record's time and id (newest first, ties by id). */
export interface AuditCursor {
  occurredAt: string;
  recordId: string;
}

export const encodeCursor = (cursor: AuditCursor): string =>
  Buffer.from(`${cursor.occurredAt}|${cursor.recordId}`, 'utf8').toString('base64url');

export function decodeCursor(value: string | undefined): AuditCursor | null {
  if (value === undefined || value === '') return null;
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const occurredAt = text.slice(0, bar);
  const recordId = text.slice(bar + 1);
  const valid =
    bar > 0 &&
    recordId.length > 0 &&
    !Number.isNaN(Date.parse(occurredAt)) &&
    encodeCursor({ occurredAt, recordId }) === value;
  if (!valid) {
    throw new AccessAuditRuleViolation(
      'invalid-cursor',
      'The cursor is not one this service issued',
    );
  }
  return { occurredAt, recordId };
}

/**
 * The days a query looks at, newest first: from the cursor's day (or the
 * window's end) back to the window's start. One equality lookup per day
 * keeps every query pushed down on FerretDB (ADR 0004).
 */
export function daysNewestFirst(window: AuditWindow, cursor: AuditCursor | null): string[] {
  const last = cursor && cursor.occurredAt < window.to ? cursor.occurredAt : window.to;
  const days: string[] = [];
  for (
    let day = Date.parse(`${dayOf(last)}T00:00:00.000Z`);
    day >= Date.parse(`${dayOf(window.from)}T00:00:00.000Z`);
    day -= DAY_MS
  ) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** Newest first; equal times by record id, descending, so a page boundary is exact. */
export function newestFirst(a: AccessRecord, b: AccessRecord): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? 1 : -1;
  return a.recordId < b.recordId ? 1 : a.recordId > b.recordId ? -1 : 0;
}

/** True if the record belongs on a page that starts after `cursor`, inside `window`. */
export function isOnPage(record: AccessRecord, window: AuditWindow, cursor: AuditCursor | null) {
  if (record.occurredAt < window.from || record.occurredAt > window.to) return false;
  if (!cursor) return true;
  return (
    record.occurredAt < cursor.occurredAt ||
    (record.occurredAt === cursor.occurredAt && record.recordId < cursor.recordId)
  );
}

/** A page of `limit` records from candidates (any order) and the cursor of the next page. */
export function pageOf(
  candidates: AccessRecord[],
  window: AuditWindow,
  cursor: AuditCursor | null,
  limit: number,
): { records: AccessRecord[]; nextCursor: string | null } {
  const sorted = candidates.filter((r) => isOnPage(r, window, cursor)).sort(newestFirst);
  const records = sorted.slice(0, limit);
  const last = records[records.length - 1];
  return {
    records,
    nextCursor:
      sorted.length > limit && last
        ? encodeCursor({ occurredAt: last.occurredAt, recordId: last.recordId })
        : null,
  };
}
