import { MessageGroupRuleViolation } from './message-group-errors.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One opening of a weekday, in local wall time of the group's time zone. */
export interface Opening {
  day: Weekday;
  /** 'HH:MM', 00:00–23:59. */
  opens: string;
  /** 'HH:MM', 00:01–24:00 ('24:00': open until midnight). */
  closes: string;
}

/** When a group counts time: a weekly schedule in an IANA time zone, minus closed dates. */
export interface BusinessHours {
  timeZone: string;
  weekly: Opening[];
  /** Local dates (YYYY-MM-DD) closed all day. */
  closedDates: string[];
}

/** The event contract's bounds (GroupWorkflowChangedV1). */
export const MAX_OPENINGS = 70;
export const MAX_CLOSED_DATES = 400;
export const MAX_TIME_ZONE_LENGTH = 64;

const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
/** Area/Location names as IANA spells them ('UTC', 'America/New_York', 'Etc/GMT+5'). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

const invalid = (code: string, message: string) => new MessageGroupRuleViolation(code, message);

/**
 * A zone of the IANA database, spelled as IANA does (other readers of the
 * event, Java's ZoneId among them, match names case-sensitively). The
 * runtime's Intl knows the database, aliases such as 'Asia/Kolkata' and
 * 'US/Eastern' included, but takes any case and resolves an alias to another
 * name; so a name must resolve, and either be its own resolved name or, as
 * an alias, differ from it by more than case and begin every part with a
 * capital ('asia/kolkata' is refused). ICU's own 'SystemV/' zones are not IANA's.
 */
export function isKnownTimeZone(timeZone: string): boolean {
  if (timeZone.length > MAX_TIME_ZONE_LENGTH || !ZONE_NAME.test(timeZone)) return false;
  if (timeZone.startsWith('SystemV/')) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  if (resolved === timeZone) return true;
  return (
    resolved.toLowerCase() !== timeZone.toLowerCase() &&
    timeZone.split('/').every((part) => /^[A-Z]/.test(part))
  );
}

/** Minutes since midnight of a valid 'HH:MM' ('24:00' only where `closing`); null if not one. */
export function minutesOf(time: string, closing = false): number | null {
  if (closing && time === '24:00') return 24 * 60;
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** A real (Gregorian) calendar date 'YYYY-MM-DD': no 2026-02-30, no month 13. */
export function isCalendarDate(date: string): boolean {
  const match = DATE.exec(date);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * Checks business hours and answers them in a canonical order: openings by
 * weekday then opening time, closed dates ascending (a schedule sent in
 * another order is the same schedule).
 */
export function checkBusinessHours(hours: BusinessHours): BusinessHours {
  if (!isKnownTimeZone(hours.timeZone)) {
    throw invalid('unknown-time-zone', `"${hours.timeZone}" is not an IANA time zone`);
  }
  if (hours.weekly.length === 0) {
    throw invalid(
      'business-hours-never-open',
      'business hours need at least one opening; use businessHours: null for always open',
    );
  }
  if (hours.weekly.length > MAX_OPENINGS) {
    throw invalid('too-many-openings', `at most ${MAX_OPENINGS} openings a week`);
  }
  const openings = hours.weekly.map((opening) => {
    const opens = minutesOf(opening.opens);
    const closes = minutesOf(opening.closes, true);
    if (opens === null || closes === null) {
      throw invalid(
        'invalid-time-of-day',
        `${opening.day}: times are 'HH:MM' (24-hour); only closes may be '24:00'`,
      );
    }
    if (opens >= closes) {
      throw invalid(
        'opening-closes-before-opens',
        `${opening.day} ${opening.opens}–${opening.closes}: an opening closes after it opens`,
      );
    }
    return { opening: { ...opening }, day: WEEKDAYS.indexOf(opening.day), opens, closes };
  });
  openings.sort((a, b) => a.day - b.day || a.opens - b.opens);
  for (let i = 1; i < openings.length; i++) {
    const [before, after] = [openings[i - 1]!, openings[i]!];
    if (before.day === after.day && after.opens < before.closes) {
      throw invalid(
        'openings-overlap',
        `${after.opening.day}: ${before.opening.opens}–${before.opening.closes} and ${after.opening.opens}–${after.opening.closes} overlap`,
      );
    }
  }
  if (hours.closedDates.length > MAX_CLOSED_DATES) {
    throw invalid('too-many-closed-dates', `at most ${MAX_CLOSED_DATES} closed dates`);
  }
  const invalidDate = hours.closedDates.find((date) => !isCalendarDate(date));
  if (invalidDate !== undefined) {
    throw invalid('invalid-closed-date', `"${invalidDate}" is not a calendar date (YYYY-MM-DD)`);
  }
  if (new Set(hours.closedDates).size !== hours.closedDates.length) {
    throw invalid('duplicate-closed-date', 'a closed date is listed twice');
  }
  return {
    timeZone: hours.timeZone,
    weekly: openings.map(({ opening: { day, opens, closes } }) => ({ day, opens, closes })),
    closedDates: [...hours.closedDates].sort(),
  };
}
