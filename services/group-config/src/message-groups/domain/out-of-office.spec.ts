import type { GroupMember, MemberStatus } from './message-group.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';
import {
  assertAtMostMaxPeriods,
  assertCoverActive,
  assertCoverInGroup,
  assertCoverIsNotSelf,
  assertEndsAfterStart,
  assertNoOverlap,
  assertNotEnded,
  assertNotTooLong,
  checkOutOfOffice,
  currentPeriods,
  instantOf,
  mayManageOutOfOffice,
  parsePeriod,
  samePeriods,
  withPeriodIds,
  type OutOfOfficeDraft,
  type OutOfOfficeFacts,
} from './out-of-office.js';

const NOW = new Date('2027-01-01T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

const admin = (memberId: string): GroupMember => ({ memberId, privilege: 'admin' });
const user = (memberId: string): GroupMember => ({ memberId, privilege: 'user' });

/**
 * m_alice is a User of Front Desk with m_bob (its Admin) and m_gone
 * (deactivated); m_carol is in Billing, with no group shared with m_alice;
 * m_stranger is no member of the practice.
 */
const GROUPS = [
  { members: [admin('m_bob'), user('m_alice'), user('m_gone')] },
  { members: [admin('m_carol'), user('m_dave')] },
];
const STATUSES: Record<string, MemberStatus> = {
  m_alice: 'active',
  m_bob: 'active',
  m_carol: 'active',
  m_dave: 'active',
  m_gone: 'inactive',
};
const facts = (): OutOfOfficeFacts & { asked: string[][] } => {
  const asked: string[][] = [];
  return {
    asked,
    memberStatuses: async (ids) => {
      asked.push(ids);
      return new Map(ids.map((id) => [id, STATUSES[id] ?? 'unknown']));
    },
    groups: GROUPS,
  };
};

const period = (from: number, to: number, coverMemberId: string | null = null) => ({
  startsAt: at(from),
  endsAt: at(to),
  coverMemberId,
});

const check = (periods: OutOfOfficeDraft[], f: OutOfOfficeFacts = facts()) =>
  checkOutOfOffice('m_alice', periods, NOW, f);

function codeOfSync(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MessageGroupRuleViolation) {
      expect(error.kind).toBe('invalid');
      return error.code;
    }
    throw error;
  }
  throw new Error('expected a rule violation');
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MessageGroupRuleViolation) {
      expect(error.kind).toBe('invalid');
      return error.code;
    }
    throw error;
  }
  throw new Error('expected a rule violation');
}

const interval = (from: number, to: number) => parsePeriod(period(from, to));

describe('instants', () => {
  it.each([
    ['2027-02-01T09:00:00Z', '2027-02-01T09:00:00.000Z'],
    ['2027-02-01T09:00:00+01:00', '2027-02-01T08:00:00.000Z'],
    ['2027-02-01T09:00:00-05:30', '2027-02-01T14:30:00.000Z'],
    ['2027-02-01t09:00:00.5z', '2027-02-01T09:00:00.500Z'],
    ['2027-02-01T09:00:00.123456789Z', '2027-02-01T09:00:00.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2027-01-01T00:30:00+01:00', '2026-12-31T23:30:00.000Z'],
  ])('read %p as %p', (text, utc) => {
    expect(new Date(instantOf(text)!).toISOString()).toBe(utc);
  });

  it.each([
    '2027-01-05',
    '2027-01-05T09:00',
    '2027-01-05T09:00:00',
    '2027-02-30T09:00:00Z',
    '2027-02-29T09:00:00Z',
    '2027-13-01T09:00:00Z',
    '2027-01-05T24:00:00Z',
    '2027-01-05T23:60:00Z',
    '2027-01-05T23:59:60Z',
    '2027-01-05 09:00:00Z',
    '2027-01-05T09:00:00+24:00',
    '2027-01-05T09:00:00+05:60',
    '2027-01-05T09:00:00+0500',
    '9999-12-31T23:30:00-01:00',
    ' 2027-01-05T09:00:00Z',
    '２０２７-01-05T09:00:00Z',
    'tomorrow',
    '',
  ])('are refused as %p: invalid-date-time', async (startsAt) => {
    expect(instantOf(startsAt)).toBeNull();
    expect(codeOfSync(() => parsePeriod({ startsAt, endsAt: at(1), coverMemberId: null }))).toBe(
      'invalid-date-time',
    );
    expect(
      codeOfSync(() => parsePeriod({ startsAt: at(0), endsAt: startsAt, coverMemberId: null })),
    ).toBe('invalid-date-time');
    expect(await codeOf(check([{ startsAt, endsAt: at(10), coverMemberId: null }]))).toBe(
      'invalid-date-time',
    );
  });
});

describe('each rule on its own', () => {
  it('a period ends after it starts: period-ends-before-start', () => {
    expect(() => assertEndsAfterStart(interval(1, 2))).not.toThrow();
    expect(codeOfSync(() => assertEndsAfterStart(interval(3, 3)))).toBe('period-ends-before-start');
    expect(codeOfSync(() => assertEndsAfterStart(interval(3, 2)))).toBe('period-ends-before-start');
  });

  it('a period is not over yet, though it may have begun: period-already-ended', () => {
    expect(() => assertNotEnded(interval(-3, 0.001), NOW)).not.toThrow();
    expect(codeOfSync(() => assertNotEnded(interval(-3, 0), NOW))).toBe('period-already-ended');
    expect(codeOfSync(() => assertNotEnded(interval(-3, -1), NOW))).toBe('period-already-ended');
  });

  it('a period lasts at most 366 days: period-too-long', () => {
    expect(() => assertNotTooLong(interval(1, 367))).not.toThrow();
    expect(codeOfSync(() => assertNotTooLong(interval(1, 367.0001)))).toBe('period-too-long');
  });

  it('at most 50 periods: too-many-periods', () => {
    const periods = (n: number) => Array.from({ length: n }, (_, i) => period(i + 1, i + 1.5));
    expect(() => assertAtMostMaxPeriods(periods(50))).not.toThrow();
    expect(codeOfSync(() => assertAtMostMaxPeriods(periods(51)))).toBe('too-many-periods');
  });

  it('periods may touch but not overlap: periods-overlap', () => {
    expect(() => assertNoOverlap([interval(1, 5), interval(5, 6)])).not.toThrow();
    expect(codeOfSync(() => assertNoOverlap([interval(1, 5), interval(4, 6)]))).toBe(
      'periods-overlap',
    );
    expect(codeOfSync(() => assertNoOverlap([interval(1, 10), interval(2, 3)]))).toBe(
      'periods-overlap',
    );
  });

  it('nobody covers for themselves: cover-is-self', () => {
    expect(() => assertCoverIsNotSelf('m_alice', 'm_bob')).not.toThrow();
    expect(codeOfSync(() => assertCoverIsNotSelf('m_alice', 'm_alice'))).toBe('cover-is-self');
  });

  it('a deactivated member covers for nobody: cover-inactive', () => {
    expect(() => assertCoverActive('m_bob', 'active')).not.toThrow();
    expect(codeOfSync(() => assertCoverActive('m_gone', 'inactive'))).toBe('cover-inactive');
  });

  it('the cover is an active member sharing a group: cover-not-in-group', () => {
    expect(() => assertCoverInGroup('m_alice', 'm_bob', 'active', GROUPS)).not.toThrow();
    expect(codeOfSync(() => assertCoverInGroup('m_alice', 'm_carol', 'active', GROUPS))).toBe(
      'cover-not-in-group',
    );
    expect(codeOfSync(() => assertCoverInGroup('m_alice', 'm_stranger', 'unknown', GROUPS))).toBe(
      'cover-not-in-group',
    );
    expect(codeOfSync(() => assertCoverInGroup('m_alice', 'm_bob', 'active', []))).toBe(
      'cover-not-in-group',
    );
  });
});

describe('a replacement', () => {
  it('is answered ordered by start, instants in UTC with milliseconds', async () => {
    const checked = await check([
      {
        startsAt: '2027-02-01T09:00:00+01:00',
        endsAt: '2027-02-03T18:00:00.5+01:00',
        coverMemberId: 'm_bob',
      },
      period(-1, 2),
    ]);
    expect(checked).toEqual([
      { startsAt: at(-1), endsAt: at(2), coverMemberId: null },
      {
        startsAt: '2027-02-01T08:00:00.000Z',
        endsAt: '2027-02-03T17:00:00.500Z',
        coverMemberId: 'm_bob',
      },
    ]);
  });

  it('of no periods clears them, asking the directory nothing', async () => {
    const f = facts();
    await expect(check([], f)).resolves.toEqual([]);
    await expect(check([period(1, 2), period(3, 4)], f)).resolves.toHaveLength(2);
    expect(f.asked).toEqual([]);
  });

  it('asks the directory about each cover once', async () => {
    const f = facts();
    await check([period(1, 2, 'm_bob'), period(3, 4, 'm_bob'), period(5, 6)], f);
    expect(f.asked).toEqual([['m_bob']]);
  });

  it.each([
    [
      '51 periods',
      Array.from({ length: 51 }, (_, i) => period(i + 1, i + 1.5)),
      'too-many-periods',
    ],
    ['an unparseable end', [{ ...period(1, 2), endsAt: 'soon' }], 'invalid-date-time'],
    ['an end at its start', [period(2, 2)], 'period-ends-before-start'],
    ['a period over already', [period(1, 2), period(-2, -1)], 'period-already-ended'],
    ['a period of 367 days', [period(1, 368)], 'period-too-long'],
    ['overlapping periods, sent out of order', [period(4, 6), period(1, 5)], 'periods-overlap'],
    ['the member as cover', [period(1, 2, 'm_alice')], 'cover-is-self'],
    ['a deactivated cover', [period(1, 2, 'm_gone')], 'cover-inactive'],
    ['a cover in no group with the member', [period(1, 2, 'm_carol')], 'cover-not-in-group'],
    ['a cover unknown to the practice', [period(1, 2, 'm_stranger')], 'cover-not-in-group'],
  ])('with %s is refused: %s', async (_label, periods, code) => {
    expect(await codeOf(check(periods))).toBe(code);
  });
});

describe('who manages a member’s periods', () => {
  it('the member and the Admins of their groups (Practice Access is checked by the caller)', () => {
    expect(mayManageOutOfOffice(GROUPS, 'm_alice', 'm_alice')).toBe(true);
    expect(mayManageOutOfOffice(GROUPS, 'm_bob', 'm_alice')).toBe(true);
    // A User of the same group, and an Admin of another group.
    expect(mayManageOutOfOffice(GROUPS, 'm_gone', 'm_alice')).toBe(false);
    expect(mayManageOutOfOffice(GROUPS, 'm_carol', 'm_alice')).toBe(false);
    // The Admin of a group the member is not in, though they share none with the caller either.
    expect(mayManageOutOfOffice(GROUPS, 'm_carol', 'm_bob')).toBe(false);
    // A member in no group: themselves only.
    expect(mayManageOutOfOffice(GROUPS, 'm_solo', 'm_solo')).toBe(true);
    expect(mayManageOutOfOffice(GROUPS, 'm_bob', 'm_solo')).toBe(false);
  });
});

describe('period ids', () => {
  let n = 0;
  const newId = () => `ooo_${++n}`;

  it('are kept for unchanged periods, made for new or changed ones', () => {
    const stored = withPeriodIds([], [period(1, 2), period(3, 4, 'm_bob')], newId);
    expect(stored.map((p) => p.periodId)).toEqual(['ooo_1', 'ooo_2']);
    // The same start and end with another cover, another end, a new period.
    const next = withPeriodIds(stored, [period(1, 2), period(3, 4), period(5, 6)], newId);
    expect(next.map((p) => p.periodId)).toEqual(['ooo_1', 'ooo_3', 'ooo_4']);
    const moved = withPeriodIds(stored, [period(1, 2.5), period(3, 4, 'm_bob')], newId);
    expect(moved.map((p) => p.periodId)).toEqual(['ooo_5', 'ooo_2']);
    expect(samePeriods(next, stored)).toBe(false);
    expect(samePeriods(moved, stored)).toBe(false);
  });

  it('make the same list again the same periods', () => {
    const stored = withPeriodIds([], [period(1, 2), period(3, 4, 'm_bob')], newId);
    const again = withPeriodIds(stored, [period(1, 2), period(3, 4, 'm_bob')], newId);
    expect(again).toEqual(stored);
    expect(samePeriods(again, stored)).toBe(true);
    expect(samePeriods([], [])).toBe(true);
    expect(samePeriods(again.slice(1), stored)).toBe(false);
  });

  it('of ended periods drop out of answers', () => {
    const stored = withPeriodIds([], [period(-2, -1), period(-1, 1)], newId);
    expect(currentPeriods(stored, NOW)).toEqual([stored[1]]);
  });
});
