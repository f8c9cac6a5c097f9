import {
  AccessAuditRuleViolation,
  assertMayReadTrail,
  auditWindow,
  dayOf,
  daysNewestFirst,
  decodeCursor,
  encodeCursor,
  pageOf,
  type AccessRecord,
} from './access-record.js';

const NOW = new Date('2025-03-10T12:00:00.000Z');

const record = (recordId: string, occurredAt: string): AccessRecord => ({
  recordId,
  practiceId: 'prc_demo',
  actor: { kind: 'member', id: 'mbr_alice' },
  action: 'thread.read',
  threadId: 'thr_1',
  threadIds: ['thr_1'],
  outcome: 'served',
  refusal: null,
  listing: null,
  occurredAt,
  source: { ip: null, userAgent: null },
  correlationId: 'c',
  recordedBy: '/services/inbox-projection',
});

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof AccessAuditRuleViolation ? `${error.kind}:${error.code}` : 'other';
  }
  return 'none';
};

describe('who may read the trail', () => {
  it('needs the audit privilege', () => {
    expect(codeOf(() => assertMayReadTrail(new Set(['audit.read']), 'audit.read'))).toBe('none');
    expect(codeOf(() => assertMayReadTrail(new Set(), 'audit.read'))).toBe(
      'forbidden:privilege-required',
    );
    expect(codeOf(() => assertMayReadTrail(new Set(['settings.phr-settings']), 'audit.read'))).toBe(
      'forbidden:privilege-required',
    );
  });
});

describe('the time window of a query', () => {
  it('defaults to the 90 days before now', () => {
    expect(auditWindow(undefined, undefined, NOW)).toEqual({
      from: '2024-12-10T12:00:00.000Z',
      to: '2025-03-10T12:00:00.000Z',
    });
  });

  it('takes RFC 3339 times in any zone and keeps them in UTC', () => {
    expect(auditWindow('2025-03-01T00:00:00+02:00', '2025-03-02T00:00:00Z', NOW)).toEqual({
      from: '2025-02-28T22:00:00.000Z',
      to: '2025-03-02T00:00:00.000Z',
    });
  });

  it.each([
    ['a date without a time', '2025-03-01', undefined, 'invalid:invalid-window'],
    ['a local time without a zone', '2025-03-01T00:00:00', undefined, 'invalid:invalid-window'],
    ['text', 'last week', undefined, 'invalid:invalid-window'],
    ['from after to', '2025-03-05T00:00:00Z', '2025-03-01T00:00:00Z', 'invalid:invalid-window'],
    [
      'more than 366 days',
      '2024-01-01T00:00:00Z',
      '2025-03-01T00:00:00Z',
      'invalid:window-too-long',
    ],
  ])('refuses %s', (_label, from, to, code) => {
    expect(codeOf(() => auditWindow(from, to, NOW))).toBe(code);
  });

  it('accepts exactly 366 days', () => {
    expect(codeOf(() => auditWindow('2024-03-01T00:00:00Z', '2025-03-02T00:00:00Z', NOW))).toBe(
      'none',
    );
  });
});

describe('days looked up, newest first', () => {
  const window = { from: '2025-03-01T10:00:00.000Z', to: '2025-03-04T01:00:00.000Z' };

  it('covers every UTC day the window touches', () => {
    expect(daysNewestFirst(window, null)).toEqual([
      '2025-03-04',
      '2025-03-03',
      '2025-03-02',
      '2025-03-01',
    ]);
  });

  it("starts at the cursor's day", () => {
    const cursor = { occurredAt: '2025-03-02T08:00:00.000Z', recordId: 'r' };
    expect(daysNewestFirst(window, cursor)).toEqual(['2025-03-02', '2025-03-01']);
  });

  it('dayOf is the UTC day', () => {
    expect(dayOf('2025-03-01T23:30:00-02:00')).toBe('2025-03-02');
  });
});

describe('cursors and pages', () => {
  const window = { from: '2025-03-01T00:00:00.000Z', to: '2025-03-10T00:00:00.000Z' };
  const records = [
    record('a', '2025-03-05T10:00:00.000Z'),
    record('c', '2025-03-05T10:00:00.000Z'),
    record('b', '2025-03-05T10:00:00.000Z'),
    record('d', '2025-03-04T10:00:00.000Z'),
    record('outside', '2025-03-11T10:00:00.000Z'),
  ];

  it('pages newest first, ties by record id, without gaps or repeats', () => {
    const first = pageOf(records, window, null, 2);
    expect(first.records.map((r) => r.recordId)).toEqual(['c', 'b']);
    const second = pageOf(records, window, decodeCursor(first.nextCursor!), 2);
    expect(second.records.map((r) => r.recordId)).toEqual(['a', 'd']);
    expect(second.nextCursor).toBeNull();
  });

  it('round-trips a cursor and refuses one it did not issue', () => {
    const cursor = { occurredAt: '2025-03-05T10:00:00.000Z', recordId: 'evt|1' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor(undefined)).toBeNull();
    for (const bad of ['nope', Buffer.from('not-a-time|x').toString('base64url'), '%%%']) {
      expect(codeOf(() => decodeCursor(bad))).toBe('invalid:invalid-cursor');
    }
  });
});
