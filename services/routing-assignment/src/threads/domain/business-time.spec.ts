/**
 * Business time as pure rules. Every expected instant was worked out by hand
 * from the zone's offsets (noted beside it), never with the code under test.
 */
import {
  businessDeadline,
  businessSecondsBetween,
  isOpenAt,
  type BusinessHours,
  type Opening,
  type Weekday,
} from './business-time.js';

const H = 3600;
const WORKWEEK: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** The same openings on each of `days`. */
const hours = (
  timeZone: string,
  days: Weekday[],
  spans: Array<[string, string]>,
  closedDates: string[] = [],
): BusinessHours => ({
  timeZone,
  weekly: days.flatMap((day) => spans.map(([opens, closes]): Opening => ({ day, opens, closes }))),
  closedDates,
});

const deadline = (start: string, seconds: number, schedule: BusinessHours | null) =>
  businessDeadline(new Date(start), seconds, schedule)?.toISOString() ?? null;
const between = (from: string, to: string, schedule: BusinessHours | null) =>
  businessSecondsBetween(new Date(from), new Date(to), schedule);
const open = (at: string, schedule: BusinessHours | null) => isOpenAt(new Date(at), schedule);

describe('always open (null hours)', () => {
  it('counts the deadline as plain elapsed time', () => {
    expect(deadline('2026-03-07T23:30:00.000Z', H, null)).toBe('2026-03-08T00:30:00.000Z');
  });

  it('is open at any instant', () => {
    expect(open('2026-03-07T03:00:00.000Z', null)).toBe(true);
  });

  it('counts plain seconds between instants, and 0 backwards', () => {
    expect(between('2026-03-06T00:00:00.000Z', '2026-03-08T00:00:00.000Z', null)).toBe(172_800);
    expect(between('2026-03-08T00:00:00.000Z', '2026-03-06T00:00:00.000Z', null)).toBe(0);
  });
});

describe('a UTC weekday schedule 09:00–17:00', () => {
  const utc = hours('UTC', WORKWEEK, [['09:00', '17:00']]);

  it('carries a target across the weekend (Fri 1 h + Mon 1 h)', () => {
    // 2026-03-06 is a Friday.
    expect(deadline('2026-03-06T16:00:00.000Z', 2 * H, utc)).toBe('2026-03-09T10:00:00.000Z');
  });

  it('starts counting at the opening when started before it', () => {
    expect(deadline('2026-03-02T06:00:00.000Z', H, utc)).toBe('2026-03-02T10:00:00.000Z');
  });

  it('counts straight on when started inside an opening', () => {
    expect(deadline('2026-03-02T10:30:00.000Z', H, utc)).toBe('2026-03-02T11:30:00.000Z');
  });

  it('waits for the next day when started after closing, or exactly at closing', () => {
    expect(deadline('2026-03-02T18:00:00.000Z', H, utc)).toBe('2026-03-03T10:00:00.000Z');
    expect(deadline('2026-03-02T17:00:00.000Z', H, utc)).toBe('2026-03-03T10:00:00.000Z');
  });

  it('lands on the closing instant when the target ends exactly there', () => {
    expect(deadline('2026-03-02T09:00:00.000Z', 8 * H, utc)).toBe('2026-03-02T17:00:00.000Z');
  });

  it('takes a whole working week for 40 hours started on a Saturday', () => {
    expect(deadline('2026-03-07T12:00:00.000Z', 40 * H, utc)).toBe('2026-03-13T17:00:00.000Z');
  });

  it('counts business seconds over a weekend (Fri 5 h + Mon 3 h)', () => {
    expect(between('2026-03-06T12:00:00.000Z', '2026-03-09T12:00:00.000Z', utc)).toBe(8 * H);
  });

  it('is open from the exact opening instant and closed from the exact closing instant', () => {
    expect(open('2026-03-02T08:59:59.999Z', utc)).toBe(false);
    expect(open('2026-03-02T09:00:00.000Z', utc)).toBe(true);
    expect(open('2026-03-02T16:59:59.999Z', utc)).toBe(true);
    expect(open('2026-03-02T17:00:00.000Z', utc)).toBe(false);
    expect(open('2026-03-07T12:00:00.000Z', utc)).toBe(false);
  });
});

describe('several openings a day', () => {
  const lunch = hours('UTC', WORKWEEK, [
    ['08:00', '12:00'],
    ['13:00', '17:00'],
  ]);

  it('skips the lunch break (11–12 then 13–14)', () => {
    expect(deadline('2026-03-02T11:00:00.000Z', 2 * H, lunch)).toBe('2026-03-02T14:00:00.000Z');
  });

  it('starts counting after lunch when started during it', () => {
    expect(deadline('2026-03-02T12:15:00.000Z', H / 2, lunch)).toBe('2026-03-02T13:30:00.000Z');
  });

  it('is closed over lunch only', () => {
    expect(open('2026-03-02T11:59:59.000Z', lunch)).toBe(true);
    expect(open('2026-03-02T12:30:00.000Z', lunch)).toBe(false);
    expect(open('2026-03-02T13:00:00.000Z', lunch)).toBe(true);
    expect(between('2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', lunch)).toBe(8 * H);
  });

  it('counts overlapping and touching openings once (their union, 09–14)', () => {
    const overlapping = hours(
      'UTC',
      ['mon'],
      [
        ['13:00', '14:00'],
        ['09:00', '12:00'],
        ['11:00', '13:00'],
      ],
    );
    expect(between('2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', overlapping)).toBe(
      5 * H,
    );
    expect(deadline('2026-03-02T11:30:00.000Z', 2 * H, overlapping)).toBe(
      '2026-03-02T13:30:00.000Z',
    );
  });
});

describe('closed dates', () => {
  // Pacific/Auckland is +13 (NZDT) in March: a local day starts at 11:00Z the day before.
  const auckland = (closedDates: string[]) =>
    hours('Pacific/Auckland', WORKWEEK, [['09:00', '17:00']], closedDates);

  it('closes the local date, which is still the previous day in UTC', () => {
    // 2026-03-02T21:00Z = Tue 2026-03-03 10:00 NZDT.
    expect(open('2026-03-02T21:00:00.000Z', auckland(['2026-03-03']))).toBe(false);
    expect(open('2026-03-02T21:00:00.000Z', auckland(['2026-03-02']))).toBe(true);
    expect(open('2026-03-02T21:00:00.000Z', auckland([]))).toBe(true);
  });

  it('skips a closed day when counting a target', () => {
    // Tue 08:00 NZDT start, Tue closed: Wed 09:00 NZDT = 2026-03-03T20:00Z, plus 1 h.
    expect(deadline('2026-03-02T19:00:00.000Z', H, auckland(['2026-03-03']))).toBe(
      '2026-03-03T21:00:00.000Z',
    );
  });

  it('counts nothing on a closed day', () => {
    // Sun 13:00 NZDT → Thu 13:00 NZDT: Mon 8 h, Tue closed, Wed 8 h, Thu 09–13 4 h.
    expect(
      between('2026-03-01T00:00:00.000Z', '2026-03-05T00:00:00.000Z', auckland(['2026-03-03'])),
    ).toBe(20 * H);
  });
});

describe('America/New_York across daylight saving', () => {
  // Spring forward Sun 2026-03-08 02:00 EST (07:00Z) → 03:00 EDT;
  // fall back Sun 2026-11-01 02:00 EDT (06:00Z) → 01:00 EST.
  const sundays = hours('America/New_York', ['sun'], [['00:00', '24:00']]);
  const workweek = hours('America/New_York', WORKWEEK, [['09:00', '17:00']]);

  it('counts a 24-hour opening on the spring-forward day as 23 hours', () => {
    // 00:00 EST = 05:00Z to the next 00:00 EDT = 04:00Z.
    expect(between('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', sundays)).toBe(23 * H);
    expect(between('2026-03-07T00:00:00.000Z', '2026-03-10T00:00:00.000Z', sundays)).toBe(23 * H);
    expect(deadline('2026-03-08T05:00:00.000Z', 23 * H, sundays)).toBe('2026-03-09T04:00:00.000Z');
    // The 24th hour comes the next Sunday: 2026-03-15 00:00 EDT = 04:00Z, plus 1 h.
    expect(deadline('2026-03-08T05:00:00.000Z', 24 * H, sundays)).toBe('2026-03-15T05:00:00.000Z');
  });

  it('counts a 24-hour opening on the fall-back day as 25 hours', () => {
    // 00:00 EDT = 04:00Z to the next 00:00 EST = 05:00Z.
    expect(between('2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', sundays)).toBe(25 * H);
    expect(deadline('2026-11-01T04:00:00.000Z', 24 * H, sundays)).toBe('2026-11-02T04:00:00.000Z');
    expect(deadline('2026-11-01T04:00:00.000Z', 25 * H, sundays)).toBe('2026-11-02T05:00:00.000Z');
    // 2026-11-08 00:00 EST = 05:00Z, plus 1 h.
    expect(deadline('2026-11-01T04:00:00.000Z', 26 * H, sundays)).toBe('2026-11-08T06:00:00.000Z');
    // The repeated hour is open both times: 06:30Z = 01:30 EST, the second pass.
    expect(open('2026-11-01T06:30:00.000Z', sundays)).toBe(true);
  });

  it('carries 8 hours from Fri 16:00 EST over spring forward to Mon 16:00 EDT', () => {
    // Fri 2026-03-06 16:00 EST = 21:00Z: 1 h Friday, then Mon 09:00 EDT = 13:00Z plus 7 h.
    expect(deadline('2026-03-06T21:00:00.000Z', 8 * H, workweek)).toBe('2026-03-09T20:00:00.000Z');
    expect(between('2026-03-06T21:00:00.000Z', '2026-03-09T20:00:00.000Z', workweek)).toBe(8 * H);
  });

  it('carries 8 hours from Fri 16:00 EDT over fall back to Mon 16:00 EST', () => {
    // Fri 2026-10-30 16:00 EDT = 20:00Z; Mon 2026-11-02 16:00 EST = 21:00Z.
    expect(deadline('2026-10-30T20:00:00.000Z', 8 * H, workweek)).toBe('2026-11-02T21:00:00.000Z');
  });
});

describe('wall times that do not exist or happen twice', () => {
  it('maps a nonexistent wall time to the first instant after the gap (New York 02:30)', () => {
    // 02:30 on 2026-03-08 is skipped: the opening starts at 07:00Z (03:00 EDT); 03:30 EDT = 07:30Z.
    const gap = hours('America/New_York', ['sun'], [['02:30', '03:30']]);
    expect(open('2026-03-08T06:59:59.000Z', gap)).toBe(false);
    expect(open('2026-03-08T07:00:00.000Z', gap)).toBe(true);
    expect(open('2026-03-08T07:29:59.000Z', gap)).toBe(true);
    expect(open('2026-03-08T07:30:00.000Z', gap)).toBe(false);
    expect(deadline('2026-03-08T05:00:00.000Z', 60, gap)).toBe('2026-03-08T07:01:00.000Z');
    expect(between('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', gap)).toBe(H / 2);
  });

  it('closes at the end of the gap when the closing time does not exist', () => {
    // 00:00 EST = 05:00Z to 02:30 (skipped) → 07:00Z.
    const closesInGap = hours('America/New_York', ['sun'], [['00:00', '02:30']]);
    expect(between('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', closesInGap)).toBe(
      2 * H,
    );
  });

  it('maps an ambiguous wall time to the earlier instant (New York 01:30)', () => {
    // 01:30 on 2026-11-01 happens at 05:30Z (EDT) and 06:30Z (EST): opens 05:30Z; 03:00 EST = 08:00Z.
    const twice = hours('America/New_York', ['sun'], [['01:30', '03:00']]);
    expect(open('2026-11-01T05:29:59.000Z', twice)).toBe(false);
    expect(open('2026-11-01T05:30:00.000Z', twice)).toBe(true);
    expect(deadline('2026-11-01T00:00:00.000Z', 60, twice)).toBe('2026-11-01T05:31:00.000Z');
    expect(between('2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', twice)).toBe(2.5 * H);
  });

  it('keeps an opening inside the repeated hour to its first pass', () => {
    // 01:00–01:45 EDT = 05:00Z–05:45Z; 06:30Z reads 01:30 EST but is after that opening.
    const repeated = hours('America/New_York', ['sun'], [['01:00', '01:45']]);
    expect(open('2026-11-01T05:30:00.000Z', repeated)).toBe(true);
    expect(open('2026-11-01T06:30:00.000Z', repeated)).toBe(false);
    expect(between('2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', repeated)).toBe(
      0.75 * H,
    );
  });

  it('maps an ambiguous wall time east of UTC to the earlier instant (Sydney 02:30)', () => {
    // Sydney falls back 2026-04-05 03:00 AEDT (16:00Z) → 02:00 AEST: 02:30 is 15:30Z and 16:30Z.
    // Closes 04:00 AEST = 18:00Z.
    const twice = hours('Australia/Sydney', ['sun'], [['02:30', '04:00']]);
    expect(open('2026-04-04T15:29:59.000Z', twice)).toBe(false);
    expect(open('2026-04-04T15:30:00.000Z', twice)).toBe(true);
    expect(deadline('2026-04-04T00:00:00.000Z', 1, twice)).toBe('2026-04-04T15:30:01.000Z');
    expect(between('2026-04-04T00:00:00.000Z', '2026-04-06T00:00:00.000Z', twice)).toBe(2.5 * H);
  });

  it('maps a nonexistent wall time east of UTC past the gap (Sydney 02:30)', () => {
    // Sydney springs forward 2026-10-04 02:00 AEST (16:00Z) → 03:00 AEDT; 04:00 AEDT = 17:00Z.
    const gap = hours('Australia/Sydney', ['sun'], [['02:30', '04:00']]);
    expect(deadline('2026-10-03T00:00:00.000Z', 1, gap)).toBe('2026-10-03T16:00:01.000Z');
    expect(between('2026-10-03T00:00:00.000Z', '2026-10-05T00:00:00.000Z', gap)).toBe(H);
  });
});

describe('Europe/London', () => {
  // BST from Sun 2026-03-29 01:00 GMT (01:00Z) to Sun 2026-10-25 02:00 BST (01:00Z).
  it('carries a target over spring forward (Fri 17:00 GMT → Mon 09:30 BST)', () => {
    const office = hours('Europe/London', WORKWEEK, [['09:00', '17:30']]);
    // 30 min Friday; Mon 2026-03-30 09:00 BST = 08:00Z plus 30 min.
    expect(deadline('2026-03-27T17:00:00.000Z', H, office)).toBe('2026-03-30T08:30:00.000Z');
  });

  it('counts 23 and 25 hours on the change days', () => {
    const sundays = hours('Europe/London', ['sun'], [['00:00', '24:00']]);
    // 00:00 GMT = 00:00Z → 00:00 BST = 23:00Z.
    expect(between('2026-03-28T12:00:00.000Z', '2026-03-30T12:00:00.000Z', sundays)).toBe(23 * H);
    // 00:00 BST = 2026-10-24T23:00Z → 00:00 GMT = 2026-10-26T00:00Z.
    expect(between('2026-10-24T12:00:00.000Z', '2026-10-26T12:00:00.000Z', sundays)).toBe(25 * H);
  });

  it('opens at the end of the gap for a skipped 01:30', () => {
    // 01:30 GMT does not exist: opens 01:00Z (02:00 BST); 03:00 BST = 02:00Z.
    const early = hours('Europe/London', ['sun'], [['01:30', '03:00']]);
    expect(open('2026-03-29T00:59:59.000Z', early)).toBe(false);
    expect(open('2026-03-29T01:00:00.000Z', early)).toBe(true);
    expect(between('2026-03-29T00:00:00.000Z', '2026-03-30T00:00:00.000Z', early)).toBe(H);
  });
});

describe('Australia/Sydney (southern-hemisphere daylight saving)', () => {
  const sundays = hours('Australia/Sydney', ['sun'], [['00:00', '24:00']]);

  it('counts 25 hours on the April fall-back day', () => {
    // Sun 2026-04-05 00:00 AEDT = 04-04T13:00Z → Mon 00:00 AEST = 04-05T14:00Z.
    expect(between('2026-04-04T13:00:00.000Z', '2026-04-05T14:00:00.000Z', sundays)).toBe(25 * H);
    expect(deadline('2026-04-04T13:00:00.000Z', 25 * H, sundays)).toBe('2026-04-05T14:00:00.000Z');
  });

  it('counts 23 hours on the October spring-forward day', () => {
    // Sun 2026-10-04 00:00 AEST = 10-03T14:00Z → Mon 00:00 AEDT = 10-04T13:00Z.
    expect(between('2026-10-03T00:00:00.000Z', '2026-10-06T00:00:00.000Z', sundays)).toBe(23 * H);
  });

  it('carries a target over the fall back (Fri 16:00 AEDT → Mon 10:00 AEST)', () => {
    const office = hours('Australia/Sydney', WORKWEEK, [['09:00', '17:00']]);
    // Fri 2026-04-03 16:00 AEDT = 05:00Z; Mon 04-06 09:00 AEST = 04-05T23:00Z plus 1 h.
    expect(deadline('2026-04-03T05:00:00.000Z', 2 * H, office)).toBe('2026-04-06T00:00:00.000Z');
    // In January (AEDT, +11) Tue 09:00 is Mon 22:00Z.
    expect(open('2026-01-05T21:59:59.000Z', office)).toBe(false);
    expect(open('2026-01-05T22:00:00.000Z', office)).toBe(true);
  });
});

describe('Asia/Kolkata (+05:30)', () => {
  const office = (closedDates: string[] = []) =>
    hours('Asia/Kolkata', WORKWEEK, [['09:00', '17:00']], closedDates);

  it('opens 09:00 IST = 03:30Z and closes 17:00 IST = 11:30Z', () => {
    expect(open('2026-03-09T03:29:59.000Z', office())).toBe(false);
    expect(open('2026-03-09T03:30:00.000Z', office())).toBe(true);
    expect(open('2026-03-09T11:29:59.000Z', office())).toBe(true);
    expect(open('2026-03-09T11:30:00.000Z', office())).toBe(false);
  });

  it('carries a target from Fri 16:30 IST to Mon 09:30 IST, or Tue when Monday is closed', () => {
    expect(deadline('2026-03-06T11:00:00.000Z', H, office())).toBe('2026-03-09T04:00:00.000Z');
    expect(deadline('2026-03-06T11:00:00.000Z', H, office(['2026-03-09']))).toBe(
      '2026-03-10T04:00:00.000Z',
    );
  });
});

describe('schedules that never open', () => {
  const DAY_MS = 86_400_000;
  /** The 58 Mondays from 2026-03-02 to 2027-04-05 (399 days later). */
  const mondays = Array.from({ length: 58 }, (_, i) =>
    new Date(Date.UTC(2026, 2, 2) + i * 7 * DAY_MS).toISOString().slice(0, 10),
  );

  it('answers null, closed and 0 for an empty weekly schedule', () => {
    const never: BusinessHours = { timeZone: 'UTC', weekly: [], closedDates: [] };
    expect(deadline('2026-03-02T00:00:00.000Z', H, never)).toBeNull();
    expect(open('2026-03-02T12:00:00.000Z', never)).toBe(false);
    expect(between('2026-03-02T00:00:00.000Z', '2026-04-02T00:00:00.000Z', never)).toBe(0);
  });

  it('answers null when every opening of the next 400 local days is closed', () => {
    expect(mondays.at(-1)).toBe('2027-04-05');
    const closed = hours('UTC', ['mon'], [['09:00', '17:00']], mondays);
    expect(deadline('2026-03-02T00:00:00.000Z', H, closed)).toBeNull();
  });

  it('still finds an opening on the 399th day ahead', () => {
    const lastOpen = hours('UTC', ['mon'], [['09:00', '17:00']], mondays.slice(0, -1));
    expect(deadline('2026-03-02T00:00:00.000Z', H, lastOpen)).toBe('2027-04-05T10:00:00.000Z');
  });
});

describe('durations and inputs', () => {
  const utc = hours('UTC', WORKWEEK, [['09:00', '17:00']]);

  it('answers the start itself for a zero target', () => {
    expect(deadline('2026-03-07T12:00:00.000Z', 0, utc)).toBe('2026-03-07T12:00:00.000Z');
  });

  it('takes fractional seconds to the millisecond', () => {
    expect(deadline('2026-03-02T10:00:00.000Z', 1.5, utc)).toBe('2026-03-02T10:00:01.500Z');
  });

  it('answers null for an infinite target', () => {
    expect(deadline('2026-03-02T10:00:00.000Z', Infinity, utc)).toBeNull();
    expect(deadline('2026-03-02T10:00:00.000Z', Infinity, null)).toBeNull();
  });

  it('rejects malformed openings and unknown zones', () => {
    const bad = (opening: Opening): BusinessHours => ({
      timeZone: 'UTC',
      weekly: [opening],
      closedDates: [],
    });
    expect(() =>
      open('2026-03-02T10:00:00.000Z', bad({ day: 'mon', opens: '9:00', closes: '17:00' })),
    ).toThrow(RangeError);
    expect(() =>
      open('2026-03-02T10:00:00.000Z', bad({ day: 'mon', opens: '17:00', closes: '09:00' })),
    ).toThrow(RangeError);
    expect(() =>
      open('2026-03-02T10:00:00.000Z', bad({ day: 'mon', opens: '24:00', closes: '24:00' })),
    ).toThrow(RangeError);
    expect(() =>
      open('2026-03-02T10:00:00.000Z', { ...utc, timeZone: 'Mars/Olympus_Mons' }),
    ).toThrow(RangeError);
  });
});

describe('businessSecondsBetween agrees with businessDeadline', () => {
  const schedules: Array<[string, BusinessHours]> = [
    ['UTC weekdays', hours('UTC', WORKWEEK, [['09:00', '17:00']])],
    [
      'New York with a lunch break',
      hours('America/New_York', WORKWEEK, [
        ['08:00', '12:00'],
        ['13:00', '17:00'],
      ]),
    ],
    ['Sydney weekdays', hours('Australia/Sydney', WORKWEEK, [['09:00', '17:00']])],
    ['New York Sundays all day', hours('America/New_York', ['sun'], [['00:00', '24:00']])],
    ['Kolkata weekdays', hours('Asia/Kolkata', WORKWEEK, [['09:30', '18:00']], ['2026-03-09'])],
  ];
  const starts = [
    '2026-03-06T21:00:00.000Z',
    '2026-04-03T05:00:00.000Z',
    '2026-10-31T12:34:56.789Z',
  ];
  const targets = [1, 59, H, 8 * H, 100_000, 1_000_000];

  it.each(schedules)('round-trips several targets on %s', (_name, schedule) => {
    for (const start of starts) {
      for (const seconds of targets) {
        const due = businessDeadline(new Date(start), seconds, schedule);
        expect(due).not.toBeNull();
        expect(businessSecondsBetween(new Date(start), due!, schedule)).toBe(seconds);
      }
    }
  });
});
