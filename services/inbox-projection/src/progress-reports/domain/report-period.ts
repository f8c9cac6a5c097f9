import { invalidPeriod } from './report-errors.js';

/** The period a report covers: facts with `from <= occurredAt < to`. */
export interface ReportPeriod {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
/** A report covers at most a year (and a day, for a leap year). */
export const MAX_PERIOD_DAYS = 366;
/** Without `from`: the week before `to`. */
export const DEFAULT_PERIOD_DAYS = 7;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(name: string, value: string): number {
  const ms = ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalidPeriod(`${name} must be an ISO 8601 date-time with a time zone.`);
  return ms;
}

/**
 * The period asked for, each end optional: `to` defaults to now, `from` to
 * a week before `to`. It must not end before it starts, nor be longer than a year.
 */
export function reportPeriod(asked: { from?: string; to?: string }, now: string): ReportPeriod {
  const to = asked.to === undefined ? Date.parse(now) : instant('to', asked.to);
  const from =
    asked.from === undefined ? to - DEFAULT_PERIOD_DAYS * DAY_MS : instant('from', asked.from);
  if (to <= from) throw invalidPeriod('The period must end after it starts.');
  if (to - from > MAX_PERIOD_DAYS * DAY_MS) {
    throw invalidPeriod(`A report covers at most ${MAX_PERIOD_DAYS} days.`);
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
