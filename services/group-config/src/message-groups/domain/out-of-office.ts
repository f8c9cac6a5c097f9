import type { GroupMember, MemberStatus } from './message-group.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';

/** A period a member is away, as submitted. */
export interface OutOfOfficeDraft {
  startsAt: string;
  endsAt: string;
  /** An active member of a group they share, who takes over; null: nobody. */
  coverMemberId: string | null;
}

/** A period as stored and published: instants in UTC ISO form with milliseconds, and its id. */
export interface OutOfOfficePeriod extends OutOfOfficeDraft {
  periodId: string;
}

/** The practice's live groups, as far as the rules look at them: who is in each. */
export type GroupMemberships = readonly { members: readonly GroupMember[] }[];

/** Facts about the practice, from the directory replica and this service's groups. */
export interface OutOfOfficeFacts {
  memberStatuses(memberIds: string[]): Promise<Map<string, MemberStatus>>;
  groups: GroupMemberships;
}

/** The event contract's bound. */
export const MAX_PERIODS = 50;
export const MAX_PERIOD_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 3339 date-time: date, time with seconds, an optional fraction, Z or an offset. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const invalid = (code: string, message: string) => new MessageGroupRuleViolation(code, message);

/** A period with its instants as milliseconds since the epoch. */
interface Interval {
  startsAt: number;
  endsAt: number;
  coverMemberId: string | null;
}

/**
 * The instant an RFC 3339 date-time names (real calendar date, hours 0–23,
 * offsets up to ±23:59; a fraction is kept to the millisecond); null if the
 * text is not one. Computed from its fields, not by Date.parse, which takes
 * forms RFC 3339 does not.
 */
export function instantOf(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [, , , , , , , fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((fraction ?? '').padEnd(3, '0').slice(0, 3)));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return null;
  }
  let instant = date.getTime();
  if (!zulu) {
    const hours = Number(offsetHours);
    const minutes = Number(offsetMinutes);
    if (hours > 23 || minutes > 59) return null;
    const offset = (hours * 60 + minutes) * 60_000;
    instant -= sign === '-' ? -offset : offset;
  }
  // An offset may carry the instant out of years 0000–9999, which UTC ISO form cannot write.
  return /^\d{4}-/.test(new Date(instant).toISOString()) ? instant : null;
}

/** At most 50 periods. */
export function assertAtMostMaxPeriods(drafts: readonly OutOfOfficeDraft[]): void {
  if (drafts.length > MAX_PERIODS) {
    throw invalid(
      'too-many-periods',
      `a member has at most ${MAX_PERIODS} out-of-office periods (got ${drafts.length})`,
    );
  }
}

/** startsAt and endsAt are RFC 3339 date-times. */
export function parsePeriod(draft: OutOfOfficeDraft): Interval {
  const startsAt = instantOf(draft.startsAt);
  const endsAt = instantOf(draft.endsAt);
  if (startsAt === null || endsAt === null) {
    throw invalid(
      'invalid-date-time',
      'startsAt and endsAt are RFC 3339 date-times with seconds and an offset, e.g. 2027-01-04T09:00:00Z',
    );
  }
  return { startsAt, endsAt, coverMemberId: draft.coverMemberId };
}

/** A period ends after it starts. */
export function assertEndsAfterStart(period: Interval): void {
  if (period.endsAt <= period.startsAt) {
    throw invalid('period-ends-before-start', 'a period ends after it starts');
  }
}

/** A period not over yet at `now` (one that began already is fine: it is current). */
export function assertNotEnded(period: Interval, now: Date): void {
  if (period.endsAt <= now.getTime()) {
    throw invalid(
      'period-already-ended',
      `a period ending ${new Date(period.endsAt).toISOString()} is over already: the periods are current and future ones`,
    );
  }
}

/** A period lasts at most 366 days. */
export function assertNotTooLong(period: Interval): void {
  if (period.endsAt - period.startsAt > MAX_PERIOD_DAYS * DAY_MS) {
    throw invalid('period-too-long', `a period lasts at most ${MAX_PERIOD_DAYS} days`);
  }
}

/** Periods ordered by start do not overlap; one may begin the instant the previous ends. */
export function assertNoOverlap(ordered: readonly Interval[]): void {
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.startsAt < ordered[i - 1]!.endsAt) {
      throw invalid('periods-overlap', 'out-of-office periods may not overlap');
    }
  }
}

/** A member does not cover for themselves. */
export function assertCoverIsNotSelf(memberId: string, coverMemberId: string): void {
  if (coverMemberId === memberId) {
    throw invalid('cover-is-self', 'a member cannot cover for themselves');
  }
}

/** A deactivated member covers for nobody. */
export function assertCoverActive(coverMemberId: string, status: MemberStatus | undefined): void {
  if (status === 'inactive') {
    throw invalid('cover-inactive', `the cover ${coverMemberId} is deactivated`);
  }
}

/** Both are in one of the groups. */
export const shareAGroup = (groups: GroupMemberships, a: string, b: string): boolean =>
  groups.some(
    (group) =>
      group.members.some((m) => m.memberId === a) && group.members.some((m) => m.memberId === b),
  );

/** The cover is an active member of the practice sharing a message group with the member. */
export function assertCoverInGroup(
  memberId: string,
  coverMemberId: string,
  status: MemberStatus | undefined,
  groups: GroupMemberships,
): void {
  if (status !== 'active' || !shareAGroup(groups, memberId, coverMemberId)) {
    throw invalid(
      'cover-not-in-group',
      `the cover ${coverMemberId} is not an active member sharing a message group with ${memberId}`,
    );
  }
}

/**
 * Who may see and set a member's periods: the member, and the Admins of any
 * group the member belongs to (holders of Practice Access too, which the
 * caller checks).
 */
export const mayManageOutOfOffice = (
  groups: GroupMemberships,
  callerId: string,
  memberId: string,
): boolean =>
  callerId === memberId ||
  groups.some(
    (group) =>
      group.members.some((m) => m.memberId === memberId) &&
      group.members.some((m) => m.memberId === callerId && m.privilege === 'admin'),
  );

const utc = (instant: number) => new Date(instant).toISOString();

/**
 * Checks a member's out-of-office periods (a full replacement) against every
 * rule and answers them as stored: ordered by start, instants in UTC ISO
 * form with milliseconds.
 */
export async function checkOutOfOffice(
  memberId: string,
  drafts: readonly OutOfOfficeDraft[],
  now: Date,
  facts: OutOfOfficeFacts,
): Promise<OutOfOfficeDraft[]> {
  assertAtMostMaxPeriods(drafts);
  const periods = drafts.map((draft) => {
    const period = parsePeriod(draft);
    assertEndsAfterStart(period);
    assertNotEnded(period, now);
    assertNotTooLong(period);
    return period;
  });
  periods.sort((a, b) => a.startsAt - b.startsAt);
  assertNoOverlap(periods);

  const covers = [...new Set(periods.flatMap((p) => (p.coverMemberId ? [p.coverMemberId] : [])))];
  for (const cover of covers) assertCoverIsNotSelf(memberId, cover);
  if (covers.length) {
    const statuses = await facts.memberStatuses(covers);
    for (const cover of covers) {
      assertCoverActive(cover, statuses.get(cover));
      assertCoverInGroup(memberId, cover, statuses.get(cover), facts.groups);
    }
  }
  return periods.map((p) => ({
    startsAt: utc(p.startsAt),
    endsAt: utc(p.endsAt),
    coverMemberId: p.coverMemberId,
  }));
}

/** Exactly a period's fields, in a fixed order (a stored object may hold more). */
export const periodOf = (p: OutOfOfficePeriod): OutOfOfficePeriod => ({
  periodId: p.periodId,
  startsAt: p.startsAt,
  endsAt: p.endsAt,
  coverMemberId: p.coverMemberId,
});

const sameInterval = (a: OutOfOfficeDraft, b: OutOfOfficeDraft) =>
  a.startsAt === b.startsAt && a.endsAt === b.endsAt && a.coverMemberId === b.coverMemberId;

/**
 * Gives each checked period an id: one with the start, end and cover of a
 * stored period keeps that period's id, any other gets a new one.
 */
export function withPeriodIds(
  stored: readonly OutOfOfficePeriod[],
  periods: readonly OutOfOfficeDraft[],
  newId: () => string,
): OutOfOfficePeriod[] {
  return periods.map((period) => ({
    periodId: stored.find((s) => sameInterval(s, period))?.periodId ?? newId(),
    startsAt: period.startsAt,
    endsAt: period.endsAt,
    coverMemberId: period.coverMemberId,
  }));
}

/** The same periods with the same ids, in the same order. */
export function samePeriods(
  a: readonly OutOfOfficePeriod[],
  b: readonly OutOfOfficePeriod[],
): boolean {
  return (
    a.length === b.length &&
    a.every((period, i) => period.periodId === b[i]!.periodId && sameInterval(period, b[i]!))
  );
}

/** The periods not over at `now`: a stored period drops out of answers as it ends. */
export const currentPeriods = (periods: readonly OutOfOfficePeriod[], now: Date) =>
  periods.filter((period) => Date.parse(period.endsAt) > now.getTime()).map(periodOf);
