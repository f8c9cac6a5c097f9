import { assertMayReadGroupReport, assertMayReadPracticeReport } from './report-access.js';
import { reportPeriod } from './report-period.js';

const now = '2026-11-10T12:00:00.000Z';
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('reportPeriod', () => {
  it('defaults to the week up to now, and takes either end alone', () => {
    expect(reportPeriod({}, now)).toEqual({ from: '2026-11-03T12:00:00.000Z', to: now });
    expect(reportPeriod({ to: '2026-11-08T00:00:00Z' }, now).from).toBe('2026-11-01T00:00:00.000Z');
    expect(reportPeriod({ from: '2026-11-09T00:00:00+01:00' }, now)).toEqual({
      from: '2026-11-08T23:00:00.000Z',
      to: now,
    });
  });

  it.each([
    ['a date without a time', { from: '2026-11-01' }],
    ['no time zone', { from: '2026-11-01T00:00:00' }],
    ['not a date', { to: 'yesterday' }],
    ['an impossible date', { to: '2026-13-01T00:00:00Z' }],
    ['an end before the start', { from: '2026-11-09T00:00:00Z', to: '2026-11-08T00:00:00Z' }],
    ['an empty period', { from: '2026-11-09T00:00:00Z', to: '2026-11-09T00:00:00Z' }],
    ['more than 366 days', { from: '2025-11-01T00:00:00Z', to: '2026-11-03T00:00:00Z' }],
  ])('refuses %s as invalid-period', (_case, asked) => {
    expect(code(() => reportPeriod(asked, now))).toBe('invalid-period');
  });
});

describe('who may read a report', () => {
  const group = {
    members: [
      { memberId: 'mbr_admin', privilege: 'admin' },
      { memberId: 'mbr_user', privilege: 'user' },
    ],
  };
  const reader = (memberId: string, practiceAccess = false, active = true) => ({
    memberId,
    practiceAccess,
    active,
  });

  it("a group's: its Admins and the Practice Access holders, if active", () => {
    expect(code(() => assertMayReadGroupReport(reader('mbr_admin'), group))).toBe('allowed');
    expect(code(() => assertMayReadGroupReport(reader('mbr_other', true), group))).toBe('allowed');
    expect(code(() => assertMayReadGroupReport(reader('mbr_other', true), null))).toBe(
      'group-not-found',
    );
    for (const refused of [
      reader('mbr_user'),
      reader('mbr_other'),
      reader('mbr_admin', true, false),
    ]) {
      expect(code(() => assertMayReadGroupReport(refused, group))).toBe('group-report-not-allowed');
    }
    expect(code(() => assertMayReadGroupReport(reader('mbr_admin'), null))).toBe(
      'group-report-not-allowed',
    );
  });

  it("the practice's: the Practice Access holders, if active", () => {
    expect(code(() => assertMayReadPracticeReport(reader('mbr_x', true)))).toBe('allowed');
    expect(code(() => assertMayReadPracticeReport(reader('mbr_admin')))).toBe(
      'practice-report-not-allowed',
    );
    expect(code(() => assertMayReadPracticeReport(reader('mbr_x', true, false)))).toBe(
      'practice-report-not-allowed',
    );
  });
});
