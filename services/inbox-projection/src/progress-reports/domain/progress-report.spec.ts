import { threadProgress, type ProgressFact } from './progress-fact.js';
import { isWaiting, percentile, progressReport } from './progress-report.js';

const day = '2026-11-02';
const t = (time: string, date = day) => `${date}T${time}:00.000Z`;
const MIN = 60_000;

/** One thread's history, step by step: each step a fact with the thread's state after it. */
function history(
  threadId: string,
  openedAt: string,
  steps: [string, string, Partial<ProgressFact>?][],
  groupId: string | null = 'grp_billing',
): ProgressFact[] {
  let state = { status: 'not-replied', trashed: false, assigneeMemberId: null as string | null };
  return steps.map(([fact, occurredAt, fields = {}], index) => {
    if (fact === 'replied') state = { ...state, status: 'replied' };
    if (fact === 'patient-followed-up') state = { ...state, status: 'not-replied' };
    if (fact === 'trashed') state = { ...state, trashed: true };
    if (fact === 'assigned') state = { ...state, assigneeMemberId: fields.assigneeMemberId! };
    return {
      practiceId: 'prc_1',
      threadId,
      sequence: index + 1,
      fact,
      occurredAt,
      openedAt,
      groupId,
      ...state,
      previousAssigneeMemberId: null,
      actorMemberId: null,
      timeToFirstReplyMs: null,
      withinTarget: null,
      ...fields,
    };
  });
}

/**
 * The seeded history, figured by hand below: five Billing threads and a
 * direct message, around the day of 2 November.
 */
const threads = [
  history('thr_a', t('09:00'), [
    ['opened', t('09:00')],
    ['routed', t('09:00')],
    ['assigned', t('09:10'), { assigneeMemberId: 'mbr_u1', actorMemberId: 'mbr_admin' }],
    [
      'replied',
      t('09:30'),
      { actorMemberId: 'mbr_u1', timeToFirstReplyMs: 30 * MIN, withinTarget: true },
    ],
    ['patient-followed-up', t('10:00')],
    [
      'assigned',
      t('10:05'),
      {
        assigneeMemberId: 'mbr_u2',
        previousAssigneeMemberId: 'mbr_u1',
        actorMemberId: 'mbr_admin',
      },
    ],
    ['replied', t('11:00'), { actorMemberId: 'mbr_u2', withinTarget: false }],
  ]),
  history('thr_b', t('09:20'), [
    ['opened', t('09:20')],
    ['routed', t('09:20')],
    [
      'replied',
      t('10:20'),
      { actorMemberId: 'mbr_admin', timeToFirstReplyMs: 60 * MIN, withinTarget: true },
    ],
    ['trashed', t('10:30'), { actorMemberId: 'mbr_admin' }],
  ]),
  history('thr_c', t('12:00'), [
    ['opened', t('12:00')],
    ['routed', t('12:00')],
    ['assigned', t('12:10'), { assigneeMemberId: 'mbr_u2', actorMemberId: 'mbr_admin' }],
  ]),
  history('thr_d', t('11:30'), [
    ['opened', t('11:30')],
    ['routed', t('11:30')],
  ]),
  // Opened the day before, first answered in the period (25 h 5 min later), no target.
  history('thr_e', t('08:00', '2026-11-01'), [
    ['opened', t('08:00', '2026-11-01')],
    ['routed', t('08:00', '2026-11-01')],
    ['replied', t('09:05'), { actorMemberId: 'mbr_admin', timeToFirstReplyMs: 1505 * MIN }],
  ]),
  history(
    'thr_direct',
    t('13:00'),
    [
      ['opened', t('13:00')],
      ['routed', t('13:00')],
    ],
    null,
  ),
];

const period = { from: t('00:00'), to: t('00:00', '2026-11-03') };
const now = t('14:00');
const inPeriod = (fact: ProgressFact) =>
  fact.occurredAt >= period.from && fact.occurredAt < period.to;

function report(scope: { kind: 'group'; groupId: string } | { kind: 'practice' }) {
  const ofScope =
    scope.kind === 'group' ? threads.filter((h) => h[0]!.groupId === scope.groupId) : threads;
  const standing = ofScope.map((facts) => threadProgress(facts));
  return progressReport({
    practiceId: 'prc_1',
    scope,
    period,
    facts: ofScope.flat().filter(inPeriod),
    waiting: standing.filter(isWaiting),
    counts: {
      replied: standing.filter((p) => !p.trashed && p.status === 'replied').length,
      trash: standing.filter((p) => p.trashed).length,
    },
    now,
  });
}

describe("a group's progress report, against figures worked out by hand", () => {
  const billing = report({ kind: 'group', groupId: 'grp_billing' });

  it('counts what came in and what was answered in the period (not what came the day before)', () => {
    // Opened a, b, c, d; a's follow-up. e opened the day before.
    expect(billing.messagesReceived).toBe(5);
    expect(billing.threadsOpened).toBe(4);
    // a twice, b, e.
    expect(billing.replies).toBe(4);
    expect(billing.reassignments).toBe(1);
  });

  it('gives the first-response times of the first replies in the period (nearest rank)', () => {
    // 30 min, 60 min, 1505 min: p50 the 2nd, p90 the 3rd.
    expect(billing.firstResponse).toEqual({ threads: 3, p50Ms: 60 * MIN, p90Ms: 1505 * MIN });
  });

  it('gives the share of replies to a targeted wait that met the target', () => {
    expect(billing.withinTarget).toEqual({ replies: 3, met: 2, share: 2 / 3 });
  });

  it('gives the backlog now: by status, the unassigned, and how long the Not Replied have waited', () => {
    expect(billing.backlog).toEqual({
      asOf: now,
      notReplied: 2,
      replied: 2,
      trash: 1,
      unassigned: 1,
      // c since 12:00 and d since 11:30: two and two and a half hours at 14:00.
      notRepliedByAge: {
        'under-1h': 0,
        '1h-to-4h': 2,
        '4h-to-24h': 0,
        '1d-to-3d': 0,
        'over-3d': 0,
      },
    });
  });

  it("gives each assignee's load: assigned and replied in the period, open now", () => {
    expect(billing.assignees).toEqual([
      { memberId: 'mbr_admin', assigned: 0, replies: 2, openNow: 0 },
      { memberId: 'mbr_u1', assigned: 1, replies: 1, openNow: 0 },
      { memberId: 'mbr_u2', assigned: 2, replies: 1, openNow: 1 },
    ]);
    expect(billing.groups).toBeUndefined();
  });
});

describe('the practice-wide report', () => {
  const practice = report({ kind: 'practice' });

  it('adds the direct messages, and breaks the figures down by group', () => {
    expect(practice.messagesReceived).toBe(6);
    expect(practice.backlog.notReplied).toBe(3);
    expect(practice.groups).toEqual([
      expect.objectContaining({ groupId: null, messagesReceived: 1, replies: 0, notRepliedNow: 1 }),
      expect.objectContaining({ groupId: 'grp_billing', messagesReceived: 5, notRepliedNow: 2 }),
    ]);
    expect(practice.withinTarget).toEqual({ replies: 3, met: 2, share: 2 / 3 });
  });
});

describe('threadProgress', () => {
  it('folds facts in sequence order whatever order they come in, and repeats change nothing', () => {
    const a = threads[0]!;
    const shuffled = [a[6]!, a[2]!, a[0]!, a[4]!, a[6]!, a[1]!, a[5]!, a[3]!];
    expect(threadProgress(shuffled)).toEqual(threadProgress(a));
    expect(threadProgress(a)).toMatchObject({ status: 'replied', waitingSince: null, sequence: 7 });
  });

  it('waits since the oldest patient message no reply answered', () => {
    const a = threads[0]!;
    expect(threadProgress(a.slice(0, 5)).waitingSince).toBe(t('10:00'));
    expect(threadProgress(a.slice(0, 3)).waitingSince).toBe(t('09:00'));
  });
});

describe('percentile (nearest rank)', () => {
  it('is null of nothing, the value of one, and the ranked value otherwise', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([4, 1, 3, 2], 90)).toBe(4);
  });
});
