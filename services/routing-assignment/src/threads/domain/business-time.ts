/**
 * Business time: the clock a group's response targets and return-to-queue
 * deadlines run on. A schedule is weekly openings in local wall time of an
 * IANA zone, minus closed local dates; time outside it does not count.
 *
 * Plain TypeScript on Intl only. Wall times become instants through the
 * zone's offsets, so a day counts its real length (23 or 25 hours on a
 * daylight-saving change), a wall time skipped by a spring-forward gap means
 * the first instant after the gap, and one repeated by a fall back means its
 * earlier instant.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** One opening of a weekday in local wall time of the zone: 'HH:MM' (00:00–23:59); closes 'HH:MM' after opens, or '24:00' (until midnight). */
export interface Opening {
  day: Weekday;
  opens: string;
  closes: string;
}
/** When a group counts time: a weekly schedule in an IANA time zone, minus closed local dates (YYYY-MM-DD). */
export interface BusinessHours {
  timeZone: string;
  weekly: Opening[];
  closedDates: string[];
}

const SECOND = 1000;
const DAY = 86_400 * SECOND;
/** Monday first; local day 0 (1970-01-01) was a Thursday, index 3. */
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const EPOCH_WEEKDAY = 3;
/** How far ahead a deadline is looked for before the schedule counts as never open. */
const MAX_DAYS_AHEAD = 400;
/** Bounds the memo of local days per zone (a few years of days). */
const MAX_CACHED_DAYS = 2048;
const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/** Whether the practice is open at this instant; null hours = always open (true). */
export function isOpenAt(at: Date, hours: BusinessHours | null): boolean {
  const instant = millisOf(at);
  if (hours === null) return true;
  const schedule = scheduleOf(hours);
  const day = localDayNumber(schedule.zone, instant);
  for (const [opens, closes] of openIntervals(schedule, day, day)) {
    if (opens <= instant && instant < closes) return true;
  }
  return false;
}

/**
 * The instant at which `seconds` of business time have passed since `start`.
 * null hours = always open: start + seconds. If the schedule has no opening at all
 * (weekly empty, or everything closed for the next 400 local days), return null (the target never falls due).
 */
export function businessDeadline(
  start: Date,
  seconds: number,
  hours: BusinessHours | null,
): Date | null {
  const from = millisOf(start);
  if (Number.isNaN(seconds)) throw new RangeError('business time: seconds is not a number');
  let remaining = Math.round(seconds * SECOND);
  if (remaining <= 0) return new Date(from);
  if (hours === null) return dateOrNull(from + remaining);
  const schedule = scheduleOf(hours);
  if (!schedule.everOpen) return null;
  const firstDay = localDayNumber(schedule.zone, from);
  for (const [opens, closes] of openIntervals(schedule, firstDay, firstDay + MAX_DAYS_AHEAD)) {
    if (closes <= from) continue;
    const begins = Math.max(opens, from);
    // The deadline may fall exactly on a closing instant: that much time has passed by then.
    if (closes - begins >= remaining) return dateOrNull(begins + remaining);
    remaining -= closes - begins;
  }
  return null;
}

/** Business seconds between two instants (0 if to <= from); null hours = plain seconds. */
export function businessSecondsBetween(from: Date, to: Date, hours: BusinessHours | null): number {
  const [begin, end] = [millisOf(from), millisOf(to)];
  if (end <= begin) return 0;
  if (hours === null) return (end - begin) / SECOND;
  const schedule = scheduleOf(hours);
  if (!schedule.everOpen) return 0;
  const zone = schedule.zone;
  let total = 0;
  for (const [opens, closes] of openIntervals(
    schedule,
    localDayNumber(zone, begin),
    localDayNumber(zone, end),
  )) {
    total += Math.max(0, Math.min(closes, end) - Math.max(opens, begin));
  }
  return total / SECOND;
}

// --- The schedule, walked day by day ---------------------------------------

interface Schedule {
  zone: Zone;
  /** Per weekday (Monday first): the union of its openings, [opens, closes) in seconds after local midnight. */
  byWeekday: Array<Array<[number, number]>>;
  closed: ReadonlySet<string>;
  everOpen: boolean;
}

/** Checks and merges openings; malformed ones throw rather than silently count as closed. */
function scheduleOf(hours: BusinessHours): Schedule {
  const byWeekday: Array<Array<[number, number]>> = WEEKDAYS.map(() => []);
  for (const { day, opens, closes } of hours.weekly) {
    const weekday = WEEKDAYS.indexOf(day);
    const start = secondsOfDay(opens, false);
    const end = secondsOfDay(closes, true);
    if (weekday < 0 || start === null || end === null || end <= start) {
      throw new RangeError(`business time: invalid opening ${day} ${opens}–${closes}`);
    }
    byWeekday[weekday]!.push([start, end]);
  }
  // Overlapping or touching openings count once: merge each day's into their union.
  for (const [weekday, openings] of byWeekday.entries()) {
    openings.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [start, end] of openings) {
      const last = merged.at(-1);
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    byWeekday[weekday] = merged;
  }
  return {
    zone: zoneOf(hours.timeZone),
    byWeekday,
    closed: new Set(hours.closedDates),
    everOpen: byWeekday.some((openings) => openings.length > 0),
  };
}

/** 'HH:MM' as seconds after midnight ('24:00' only for a closing); null if malformed. */
function secondsOfDay(time: string, closing: boolean): number | null {
  if (closing && time === '24:00') return 86_400;
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 : null;
}

/**
 * The open intervals [opens, closes) as instants, in order, of local days
 * `firstDay` to `lastDay` (days since 1970-01-01 in the zone). Intervals
 * stay ordered and disjoint: wall time → instant never goes backwards.
 */
function* openIntervals(
  schedule: Schedule,
  firstDay: number,
  lastDay: number,
): Generator<[number, number]> {
  for (let day = firstDay; day <= lastDay; day++) {
    const openings = schedule.byWeekday[mod(day + EPOCH_WEEKDAY, 7)]!;
    if (openings.length === 0) continue;
    if (schedule.closed.size > 0 && schedule.closed.has(isoDate(day))) continue;
    for (const [start, end] of openings) {
      const opens = instantOf(schedule.zone, day, start);
      const closes = instantOf(schedule.zone, day, end);
      // Both ends inside one spring-forward gap: the opening never happens.
      if (closes > opens) yield [opens, closes];
    }
  }
}

// --- Zones: wall time ↔ instant with Intl only -------------------------------

interface Zone {
  format: Intl.DateTimeFormat;
  days: Map<number, LocalDay>;
}
/** A local date's first instant, and whether one offset holds the whole day. */
interface LocalDay {
  midnight: number;
  steady: boolean;
}

// Building a DateTimeFormat costs far more than formatting with one.
const zones = new Map<string, Zone>();

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = {
      // An unknown zone throws a RangeError here.
      format: new Intl.DateTimeFormat('en-US-u-nu-latn', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      }),
      days: new Map(),
    };
    zones.set(timeZone, zone);
  }
  return zone;
}

/** The zone's wall clock at an instant, written as if it were UTC (ms since epoch). */
function wallClock(zone: Zone, instant: number): number {
  const field = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of zone.format.formatToParts(instant)) {
    if (part.type in field) field[part.type as keyof typeof field] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = field;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Wall clock minus UTC at an instant (ms; whole seconds, as the tz database has them). */
function offsetAt(zone: Zone, instant: number): number {
  const whole = Math.floor(instant / SECOND) * SECOND;
  return wallClock(zone, whole) - whole;
}

function localDayNumber(zone: Zone, instant: number): number {
  return Math.floor(wallClock(zone, instant) / DAY);
}

/**
 * The instant of `seconds` after midnight on a local day (86 400: the next
 * midnight). Most days keep one offset all day, so their wall times are
 * their midnight plus elapsed time; only a day with a change needs a full
 * conversion per wall time.
 */
function instantOf(zone: Zone, day: number, seconds: number): number {
  if (seconds === 86_400) return localDayOf(zone, day + 1).midnight;
  const local = localDayOf(zone, day);
  if (local.steady) return local.midnight + seconds * SECOND;
  return wallToInstant(zone, day * DAY + seconds * SECOND);
}

function localDayOf(zone: Zone, day: number): LocalDay {
  let local = zone.days.get(day);
  if (!local) {
    const midnight = wallToInstant(zone, day * DAY);
    const offset = offsetAt(zone, midnight);
    // Midnight exists with this offset (not in a gap) and the offset still holds a second before
    // the day's 24th hour: no change within the day (no zone changes twice within a day).
    const steady =
      day * DAY - offset === midnight && offsetAt(zone, midnight + DAY - SECOND) === offset;
    if (zone.days.size >= MAX_CACHED_DAYS) zone.days.clear();
    local = { midnight, steady };
    zone.days.set(day, local);
  }
  return local;
}

/**
 * The instant a wall time (written as if UTC) names in the zone. Start from
 * the offset at the wall time read as UTC and iterate guess = wall − offset
 * until the offset at the guess is the one used. No fixed point means the
 * wall time was skipped (spring forward): answer the first instant after
 * the gap. A fixed point may be the later of two (fall back): answer the
 * earlier.
 */
function wallToInstant(zone: Zone, wall: number): number {
  let offset = offsetAt(zone, wall);
  const tried: Array<{ instant: number; offset: number }> = [];
  for (let i = 0; i < 3; i++) {
    const instant = wall - offset;
    const actual = offsetAt(zone, instant);
    if (actual === offset) return earliest(zone, wall, instant, offset);
    tried.push({ instant, offset: actual });
    offset = actual;
  }
  // In a gap the guesses alternate between one instant before the change and one after it.
  const [a, b] = tried.slice(-2) as [(typeof tried)[0], (typeof tried)[0]];
  return a.instant < b.instant
    ? firstInstantWith(zone, a.instant, b.instant, b.offset)
    : firstInstantWith(zone, b.instant, a.instant, a.offset);
}

/**
 * Of the instants showing this wall time, the earliest. A repeated wall time
 * has a second, earlier instant under the larger offset in force before the
 * fall back; look a day back for it and keep it if it really shows the wall time.
 */
function earliest(zone: Zone, wall: number, instant: number, offset: number): number {
  const before = offsetAt(zone, instant - DAY);
  if (before > offset && offsetAt(zone, wall - before) === before) return wall - before;
  return instant;
}

/** The first whole second in (before, after] whose offset is `offset` (the moment of a change). */
function firstInstantWith(zone: Zone, before: number, after: number, offset: number): number {
  let [low, high] = [before, after];
  while (high - low > SECOND) {
    const middle = low + Math.floor((high - low) / (2 * SECOND)) * SECOND;
    if (offsetAt(zone, middle) === offset) high = middle;
    else low = middle;
  }
  return high;
}

// --- Small helpers -------------------------------------------------------------

function millisOf(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('business time: invalid date');
  return ms;
}

/** A Date, or null past what Date can hold (a target that never falls due). */
function dateOrNull(ms: number): Date | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The local date 'YYYY-MM-DD' of a day number. */
function isoDate(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

const mod = (n: number, m: number): number => ((n % m) + m) % m;
