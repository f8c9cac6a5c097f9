import {
  checkBusinessHours,
  isCalendarDate,
  isKnownTimeZone,
  type BusinessHours,
} from './business-hours.js';
import {
  ASSIGNMENT_OFF,
  checkGroupWorkflow,
  DEFAULT_WORKFLOW,
  mayChangeWorkflow,
  mayReadWorkflow,
  sameWorkflow,
  workflowOf,
  type GroupWorkflow,
} from './group-workflow.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';

const hours = (overrides: Partial<BusinessHours> = {}): BusinessHours => ({
  timeZone: 'America/New_York',
  weekly: [
    { day: 'mon', opens: '08:00', closes: '12:00' },
    { day: 'mon', opens: '13:00', closes: '17:00' },
  ],
  closedDates: ['2026-12-25'],
  ...overrides,
});

const workflow = (overrides: Partial<GroupWorkflow> = {}): GroupWorkflow => ({
  ...DEFAULT_WORKFLOW,
  ...overrides,
});

function codeOf(run: () => unknown): string {
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

const check = (overrides: Partial<GroupWorkflow>) => () => checkGroupWorkflow(workflow(overrides));

describe('a group workflow', () => {
  it('takes the defaults and every setting, and answers exactly the five settings', () => {
    expect(checkGroupWorkflow(DEFAULT_WORKFLOW)).toEqual(DEFAULT_WORKFLOW);
    expect(DEFAULT_WORKFLOW.assignment).toEqual({ mode: 'off', capacity: null });
    const full = workflow({
      responseTargetSeconds: 3600,
      businessHours: hours(),
      acknowledgement: { when: 'outside-business-hours', text: '  We reply tomorrow. Thanks ' },
      returnToQueueSeconds: 31_536_000,
      assignment: { mode: 'least-loaded', capacity: 12 },
    });
    const checked = checkGroupWorkflow(full);
    expect(checked).toEqual({
      ...full,
      acknowledgement: { when: 'outside-business-hours', text: 'We reply tomorrow. Thanks' },
    });
    expect(Object.keys(checked).sort()).toEqual([
      'acknowledgement',
      'assignment',
      'businessHours',
      'responseTargetSeconds',
      'returnToQueueSeconds',
    ]);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['minus zero', -0],
    ['a fraction', 1.5],
    ['more than a year', 31_536_001],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('refuses a duration that is %s', (_label, seconds) => {
    expect(codeOf(check({ responseTargetSeconds: seconds }))).toBe('response-target-out-of-range');
    expect(codeOf(check({ returnToQueueSeconds: seconds }))).toBe('return-to-queue-out-of-range');
  });

  it('takes durations of 1 second to a year', () => {
    for (const seconds of [1, 31_536_000]) {
      expect(checkGroupWorkflow(workflow({ responseTargetSeconds: seconds }))).toMatchObject({
        responseTargetSeconds: seconds,
      });
      expect(checkGroupWorkflow(workflow({ returnToQueueSeconds: seconds }))).toMatchObject({
        returnToQueueSeconds: seconds,
      });
    }
  });

  it('sends an acknowledgement outside business hours only if it has business hours', () => {
    expect(
      codeOf(check({ acknowledgement: { when: 'outside-business-hours', text: 'Closed now' } })),
    ).toBe('acknowledgement-needs-business-hours');
    expect(() =>
      checkGroupWorkflow(workflow({ acknowledgement: { when: 'always', text: 'Got it' } })),
    ).not.toThrow();
    expect(() =>
      checkGroupWorkflow(
        workflow({
          businessHours: hours(),
          acknowledgement: { when: 'outside-business-hours', text: 'Closed now' },
        }),
      ),
    ).not.toThrow();
  });

  it('checks the business hours it is given', () => {
    expect(codeOf(check({ businessHours: hours({ timeZone: 'Mars/Base' }) }))).toBe(
      'unknown-time-zone',
    );
  });

  it.each([
    ['empty', '', 'acknowledgement-text-required'],
    ['blank', ' \u00a0 ', 'acknowledgement-text-required'],
    ['1001 characters', 'a'.repeat(1001), 'acknowledgement-text-too-long'],
    ['a line feed', 'Got it.\nThanks', 'acknowledgement-text-invalid-characters'],
    ['a CR LF', 'Got it.\r\nThanks', 'acknowledgement-text-invalid-characters'],
    ['a tab', 'Got\tit', 'acknowledgement-text-invalid-characters'],
    ['a bell', 'Got\u0007it', 'acknowledgement-text-invalid-characters'],
    ['DEL', 'Got\u007fit', 'acknowledgement-text-invalid-characters'],
    ['a C1 control character', 'Got\u0085it', 'acknowledgement-text-invalid-characters'],
  ])('refuses an acknowledgement text that is %s', (_label, text, code) => {
    expect(codeOf(check({ acknowledgement: { when: 'always', text } }))).toBe(code);
  });

  it('takes an acknowledgement of 1000 characters as a patient counts them (code points)', () => {
    const text = '\u{1F600}'.repeat(999) + 'a';
    expect(text.length).toBe(1999);
    expect(
      checkGroupWorkflow(workflow({ acknowledgement: { when: 'always', text } })).acknowledgement
        ?.text,
    ).toBe(text);
  });

  it.each([
    ['round-robin', null],
    ['round-robin', 1],
    ['least-loaded', 1000],
    ['least-loaded', null],
    ['off', null],
  ] as const)('takes assignment %s with capacity %p', (mode, capacity) => {
    const checked = checkGroupWorkflow(workflow({ assignment: { mode, capacity } }));
    expect(checked.assignment).toEqual({ mode, capacity });
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['minus zero', -0],
    ['a fraction', 1.5],
    ['more than 1000', 1001],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('refuses a capacity that is %s', (_label, capacity) => {
    for (const mode of ['round-robin', 'least-loaded', 'off'] as const) {
      expect(codeOf(check({ assignment: { mode, capacity } }))).toBe('capacity-out-of-range');
    }
  });

  it('limits only automatic assignment: a capacity with mode off is refused', () => {
    for (const capacity of [1, 5, 1000]) {
      expect(codeOf(check({ assignment: { mode: 'off', capacity } }))).toBe(
        'capacity-needs-automatic-assignment',
      );
    }
  });

  it('answers the assignment as a copy of exactly its two fields', () => {
    const draft = { mode: 'round-robin', capacity: 3, note: 'x' } as GroupWorkflow['assignment'];
    const checked = checkGroupWorkflow(workflow({ assignment: draft }));
    expect(checked.assignment).toEqual({ mode: 'round-robin', capacity: 3 });
    expect(checked.assignment).not.toBe(draft);
    expect(checkGroupWorkflow(DEFAULT_WORKFLOW).assignment).not.toBe(ASSIGNMENT_OFF);
  });

  it('tells unchanged settings from changed ones', () => {
    const a = checkGroupWorkflow(workflow({ businessHours: hours() }));
    const b = checkGroupWorkflow(
      workflow({ businessHours: hours({ weekly: [...hours().weekly].reverse() }) }),
    );
    expect(sameWorkflow(a, b)).toBe(true);
    expect(sameWorkflow(a, workflow())).toBe(false);
    expect(sameWorkflow(a, { ...a, returnToQueueSeconds: 60 })).toBe(false);
    expect(sameWorkflow(a, { ...a, businessHours: hours({ closedDates: [] }) })).toBe(false);
    // The assignment counts, its mode and its capacity both.
    const robin = { ...a, assignment: { mode: 'round-robin' as const, capacity: 5 } };
    expect(sameWorkflow(a, robin)).toBe(false);
    expect(
      sameWorkflow(robin, { ...robin, assignment: { mode: 'round-robin', capacity: 5 } }),
    ).toBe(true);
    expect(
      sameWorkflow(robin, { ...robin, assignment: { mode: 'round-robin', capacity: 6 } }),
    ).toBe(false);
    expect(
      sameWorkflow(robin, { ...robin, assignment: { mode: 'round-robin', capacity: null } }),
    ).toBe(false);
    expect(
      sameWorkflow(robin, { ...robin, assignment: { mode: 'least-loaded', capacity: 5 } }),
    ).toBe(false);
    expect(sameWorkflow(a, { ...a, assignment: { mode: 'off', capacity: null } })).toBe(true);
    // A view carries its version and time besides: only the settings count.
    const view = { ...a, version: 3, changedAt: '2026-01-01T00:00:00.000Z' };
    expect(sameWorkflow(a, view)).toBe(true);
    expect(workflowOf(view)).toEqual(a);
  });

  it('is seen by the members of the group and changed by its Admins', () => {
    const group = {
      members: [
        { memberId: 'mbr_admin', privilege: 'admin' as const },
        { memberId: 'mbr_user', privilege: 'user' as const },
      ],
    };
    const ids = ['mbr_admin', 'mbr_user', 'mbr_other'];
    expect(ids.map((id) => mayReadWorkflow(group, id))).toEqual([true, true, false]);
    expect(ids.map((id) => mayChangeWorkflow(group, id))).toEqual([true, false, false]);
  });
});

describe('business hours', () => {
  const bh = (overrides: Partial<BusinessHours>) => () => checkBusinessHours(hours(overrides));

  it('are answered in weekday and time order, closed dates ascending', () => {
    const checked = checkBusinessHours(
      hours({
        weekly: [
          { day: 'sun', opens: '10:00', closes: '24:00' },
          { day: 'mon', opens: '13:00', closes: '17:00' },
          { day: 'mon', opens: '08:00', closes: '13:00' },
        ],
        closedDates: ['2027-01-01', '2026-12-25'],
      }),
    );
    expect(checked.weekly.map((o) => `${o.day} ${o.opens}`)).toEqual([
      'mon 08:00',
      'mon 13:00',
      'sun 10:00',
    ]);
    expect(checked.closedDates).toEqual(['2026-12-25', '2027-01-01']);
  });

  it.each([
    'UTC',
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Calcutta',
    'US/Eastern',
    'Etc/GMT+5',
    'America/Port-au-Prince',
    'America/Argentina/Buenos_Aires',
    'Pacific/Auckland',
  ])('take the time zone %s', (timeZone) => {
    expect(isKnownTimeZone(timeZone)).toBe(true);
    expect(checkBusinessHours(hours({ timeZone })).timeZone).toBe(timeZone);
  });

  it.each([
    'Mars/Base',
    'Mars/Olympus',
    'europe/london',
    'EUROPE/LONDON',
    'asia/kolkata',
    'us/Eastern',
    'EST5EDT ',
    '',
    '+05:00',
    'Europe/../London',
    'Etc/GMT+13',
    'SystemV/AST4',
    `Europe/${'X'.repeat(60)}`,
  ])('refuse the time zone %p', (timeZone) =>
    expect(codeOf(bh({ timeZone }))).toBe('unknown-time-zone'),
  );

  it.each([
    ['24:00 as an opening', { day: 'mon', opens: '24:00', closes: '24:00' }, 'invalid-time-of-day'],
    ['a 25th hour', { day: 'mon', opens: '08:00', closes: '25:00' }, 'invalid-time-of-day'],
    ['a single-digit hour', { day: 'mon', opens: '8:00', closes: '17:00' }, 'invalid-time-of-day'],
    ['seconds', { day: 'mon', opens: '08:00:00', closes: '17:00' }, 'invalid-time-of-day'],
    ['24:30', { day: 'mon', opens: '08:00', closes: '24:30' }, 'invalid-time-of-day'],
    ['minute 60', { day: 'mon', opens: '08:60', closes: '17:00' }, 'invalid-time-of-day'],
    [
      'closing when it opens',
      { day: 'mon', opens: '09:00', closes: '09:00' },
      'opening-closes-before-opens',
    ],
    [
      'closing before it opens',
      { day: 'tue', opens: '17:00', closes: '09:00' },
      'opening-closes-before-opens',
    ],
  ])('refuse an opening with %s', (_label, opening, code) => {
    expect(codeOf(bh({ weekly: [opening as BusinessHours['weekly'][number]] }))).toBe(code);
  });

  it('take a whole day, 00:00 to 24:00', () => {
    expect(() =>
      checkBusinessHours(hours({ weekly: [{ day: 'sat', opens: '00:00', closes: '24:00' }] })),
    ).not.toThrow();
  });

  it('take openings that touch or fall on other days, and refuse those that overlap on a day', () => {
    expect(() =>
      checkBusinessHours(
        hours({
          weekly: [
            { day: 'mon', opens: '08:00', closes: '12:00' },
            { day: 'mon', opens: '12:00', closes: '17:00' },
            { day: 'tue', opens: '11:00', closes: '13:00' },
            { day: 'wed', opens: '11:00', closes: '13:00' },
          ],
        }),
      ),
    ).not.toThrow();
    const overlapping = bh({
      weekly: [
        { day: 'wed', opens: '08:00', closes: '12:00' },
        { day: 'wed', opens: '11:59', closes: '17:00' },
      ],
    });
    expect(codeOf(overlapping)).toBe('openings-overlap');
    const within = bh({
      weekly: [
        { day: 'thu', opens: '10:00', closes: '11:00' },
        { day: 'thu', opens: '08:00', closes: '17:00' },
      ],
    });
    expect(codeOf(within)).toBe('openings-overlap');
    const twice = bh({
      weekly: [
        { day: 'fri', opens: '08:00', closes: '12:00' },
        { day: 'fri', opens: '08:00', closes: '12:00' },
      ],
    });
    expect(codeOf(twice)).toBe('openings-overlap');
  });

  it('refuse a schedule with no opening at all', () => {
    expect(codeOf(bh({ weekly: [] }))).toBe('business-hours-never-open');
  });

  it('refuse more than 70 openings', () => {
    const weekly = Array.from({ length: 71 }, (_, i) => ({
      day: 'mon' as const,
      opens: `${String(Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20).padStart(2, '0')}`,
      closes: `${String(Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20 + 10).padStart(2, '0')}`,
    }));
    expect(codeOf(bh({ weekly }))).toBe('too-many-openings');
    expect(() => checkBusinessHours(hours({ weekly: weekly.slice(0, 70) }))).not.toThrow();
  });

  it.each([
    '2026-02-29',
    '2100-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-01-00',
    '26-01-01',
    '2026-1-1',
    '2026-01-01T00:00',
    '',
  ])('refuse the closed date %p', (date) => {
    expect(isCalendarDate(date)).toBe(false);
    expect(codeOf(bh({ closedDates: [date] }))).toBe('invalid-closed-date');
  });

  it.each(['2028-02-29', '2000-02-29', '2026-12-31', '0099-01-01'])('take the date %s', (date) =>
    expect(isCalendarDate(date)).toBe(true),
  );

  it('refuse a closed date listed twice and more than 400', () => {
    expect(codeOf(bh({ closedDates: ['2026-12-25', '2026-12-25'] }))).toBe('duplicate-closed-date');
    const day = (i: number) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10);
    const many = Array.from({ length: 401 }, (_, i) => day(i));
    expect(codeOf(bh({ closedDates: many }))).toBe('too-many-closed-dates');
    expect(() => checkBusinessHours(hours({ closedDates: many.slice(0, 400) }))).not.toThrow();
  });
});
