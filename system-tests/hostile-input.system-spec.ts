/**
 * Hostile input, over HTTP and on Kafka, in a practice of its own.
 *
 * HTTP: for every write endpoint (and every path and query parameter of the
 * five services): malformed JSON, wrong content types, oversize and deeply
 * nested bodies, unknown fields, wrong types per field, MongoDB operators in
 * values and keys (`{"$gt": ""}`, `$where`, dotted and `$`-prefixed keys,
 * `__proto__`), operators and odd bytes in path parameters and query
 * strings, ids that do not exist or belong to the other practice, and
 * unicode edge cases (lone surrogates, NUL, invalid UTF-8, RTL override,
 * zero-width characters, combining marks, 10k and 15k emoji). Each case expects:
 *
 * - `refuse`: a 4xx application/problem+json with a `code`;
 * - `either`: odd but valid text (RTL override, combining marks...): a 4xx
 *   problem, or a 2xx after which the stored value is exactly what was sent;
 * - `same`: a hostile query string is refused, or ignored (the same answer as
 *   without it);
 * - never a 5xx.
 *
 * Afterwards nothing may have been stored or published beyond what the
 * services answered 2xx for: groups and preferences are compared with a
 * snapshot, directory entries are read back, and the practice's events on
 * Kafka are counted.
 *
 * Kafka: malformed records on the real topics (bad JSON, unknown type,
 * missing headers, another practice's data, a key that is not the aggregate
 * id, a schema violation) land in the dead-letter topic of every consuming
 * service, a newer version of a known type (`.v9`) in none, and the services
 * go on working.
 */
import { MessageSentV1, TOPICS, type NoteAddedV1 } from '@gm/contracts';
import { waitFor, type EventsOnTopic } from '@gm/testing';
import type { Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mainPracticeFixture, type SeededPractice } from './harness/fixtures.js';
import {
  answered,
  call,
  codeOf,
  describeAnswer,
  isProblem,
  sleep,
  type Answer,
} from './harness/http.js';
import { kafkaOf, observe, produce, readDeadLetters, type RawRecord } from './harness/kafka.js';
import type { ServiceName } from './harness/layout.js';
import { seedPractice, toListIds } from './harness/seed.js';
import { patientSends, phiText, routed, summarize, world, type Sent } from './harness/world.js';

const w = world();
const H_ID = `prc_st_hi_${w.run.runId}`;
const O = w.run.practices.other;
const TAG = randomUUID().slice(0, 8);
let H: SeededPractice;
/** The thread routing's routes aim at (pat_a's). */
let thread: Sent;
/** The thread follow-ups aim at (another patient's, for the rate limit). */
let followUpThread: Sent;
let deleteTarget: string;
/** The group whose workflow the workflow routes, and whose quick replies the quick-reply routes, aim at (no thread is routed to it). */
let workflowTarget: string;

// --- values --------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
type Expectation = 'refuse' | 'either' | 'same';

const WRONG: Record<Kind, Json> = {
  string: 'a string',
  number: 1,
  boolean: true,
  null: null,
  array: [],
  object: {},
};

const OPERATORS: [string, Json][] = [
  ['{"$gt": ""}', { $gt: '' }],
  ['{"$ne": null}', { $ne: null }],
  ['{"$where": "1"}', { $where: '1' }],
  ['{"$regex": ".*"}', { $regex: '.*' }],
  ['{"$in": []}', { $in: [] }],
];

/**
 * Keys that must never reach a query. `__proto__` and `constructor` are
 * dropped by class-transformer before validation (it guards against prototype
 * pollution) instead of refused like other unknown keys: accepted here as long
 * as they change nothing, which the checks after the cases verify.
 */
const HOSTILE_KEYS: [string, Json, Expectation][] = [
  ['$where', '1', 'refuse'],
  ['$set', { version: 0 }, 'refuse'],
  ['$gt', '', 'refuse'],
  ['a.b', 1, 'refuse'],
  ['__proto__', { admin: true }, 'either'],
  ['constructor', { prototype: { admin: true } }, 'either'],
];

const MALFORMED: string[] = [
  '{',
  '{"a":',
  '{"a" 1}',
  '[1, 2',
  "{'a': 1}",
  '{"a": 1}x',
  '{"a": 1,}',
  '{"a": 01}',
  '{"a": NaN}',
  '{"a": "\\x41"}',
  '{"a": "\\u12"}',
  '{"a": 1}{"b": 2}',
  'nul',
  'null',
  '"a string"',
  '123',
  'true',
  '<xml/>',
  '\u0000',
];

const codePoints = (s: string) => [...s].length;

/** Unicode edge cases for a text field of at most `max` code points. */
function unicodeProbes(max: number): [string, string, Expectation][] {
  const byLength = (s: string): Expectation => (codePoints(s) > max ? 'refuse' : 'either');
  const zalgo = `Z${'\u0300'.repeat(400)}`;
  const emoji = '\u{1F600}'.repeat(10_000);
  // 15,000 code points, 30,000 UTF-16 units: lengths count code points (ADR 0010, 0011).
  const moreEmoji = '\u{1F600}'.repeat(15_000);
  return [
    ['a lone high surrogate', 'ab\ud800cd', 'refuse'],
    ['a lone low surrogate', 'ab\udc00cd', 'refuse'],
    ['a reversed surrogate pair', 'ab\udc00\ud800cd', 'refuse'],
    ['NUL', 'ab\u0000cd', 'refuse'],
    ['an RTL override', 'Invoice \u202egnp.exe', 'either'],
    ['zero-width characters and a BOM', 'Zero\u200bwidth\ufeffBOM', 'either'],
    ['combining characters', 'Cafe\u0301 Ze\u0301\u0302\u0303', 'either'],
    ['400 combining marks on one letter', zalgo, byLength(zalgo)],
    ['10,000 emoji', emoji, byLength(emoji)],
    ['15,000 emoji', moreEmoji, byLength(moreEmoji)],
  ];
}

/** Ids by the directory's rule (1–128 of letters, digits, `_`, `.`, `-`): well-formed there. */
const DIRECTORY_IDS = ['a.b', 'null'];

const PATH_VALUES: [string, string, Expectation][] = [
  ['an operator object', '%7B%22%24gt%22%3A%22%22%7D', 'refuse'],
  ['$where', '$where', 'refuse'],
  ['$ne', '%24ne', 'refuse'],
  ['a dotted id', 'a.b', 'refuse'],
  ['bracket syntax', 'a%5B%24ne%5D', 'refuse'],
  ['NUL', '%00', 'refuse'],
  ['invalid percent-encoding', '%ff', 'refuse'],
  ['an encoded lone surrogate (CESU-8)', '%ED%A0%80', 'refuse'],
  ['path traversal', '..%2F..%2Fhealth%2Fready', 'refuse'],
  ['an RTL override', 'x%E2%80%AEy', 'refuse'],
  ['an emoji', '%F0%9F%98%80', 'refuse'],
  ['null', 'null', 'refuse'],
  ['a space', '%20', 'refuse'],
  ['3,000 characters', 'x'.repeat(3000), 'refuse'],
];

const QUERIES: string[] = [
  'filter[$ne]=x',
  '$where=1',
  'a.b=1',
  '__proto__[admin]=1',
  'groupId[$gt]=',
  `practiceId=${O.practiceId}`,
  'sub=mbr_padmin&actor=system',
];

/** A value as a query string carries it. */
const q = (value: string) => encodeURIComponent(value);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * The read model's paging parameters (`limit` 1–100, an opaque `cursor` of at
 * most 600 characters) and its search (`q`, at most 100 characters).
 */
const PAGING_QUERIES: [string, string, Expectation][] = [
  ['limit=0', 'limit=0', 'refuse'],
  ['limit=101', 'limit=101', 'refuse'],
  ['limit=-1', 'limit=-1', 'refuse'],
  ['limit=1.5', 'limit=1.5', 'refuse'],
  ['limit=abc', 'limit=abc', 'refuse'],
  ['limit=1e3', 'limit=1e3', 'refuse'],
  ['limit=Infinity', 'limit=Infinity', 'refuse'],
  ['limit=NaN', 'limit=NaN', 'refuse'],
  ['limit empty', 'limit=', 'refuse'],
  ['a huge limit', `limit=${'9'.repeat(400)}`, 'refuse'],
  ['limit twice', 'limit=1&limit=2', 'refuse'],
  ['limit[$gt]=0', 'limit[$gt]=0', 'same'],
  ['a cursor this service never issued', 'cursor=not-a-cursor', 'refuse'],
  ['a cursor that is an operator', `cursor=${q('{"$gt":""}')}`, 'refuse'],
  ['a base64 operator as cursor', `cursor=${b64('{"$gt":""}')}`, 'refuse'],
  // Well-formed (a sort key with `|`): a position among the caller's own entries, or refused.
  ['a forged cursor holding an operator', `cursor=${b64('{"$gt":""}|x')}`, 'either'],
  ['a cursor of 601 characters', `cursor=${'A'.repeat(601)}`, 'refuse'],
  ['a cursor with an emoji', `cursor=${q('\u{1F600}')}`, 'refuse'],
  ['cursor twice', 'cursor=a&cursor=b', 'refuse'],
  ['cursor[$ne]=x', 'cursor[$ne]=x', 'same'],
  ['q as a regex', `q=${q('.*')}`, 'either'],
  ['q = $where', `q=${q('$where')}`, 'either'],
  ['q = an operator object', `q=${q('{"$gt":""}')}`, 'either'],
  ['q[$regex]=.*', `q[$regex]=${q('.*')}`, 'same'],
  ['q twice', 'q=a&q=b', 'refuse'],
  ['q of 101 characters', `q=${'x'.repeat(101)}`, 'refuse'],
  ['q of 100 emoji', `q=${q('\u{1F600}'.repeat(100))}`, 'either'],
  ['q of 10,000 characters', `q=${'x'.repeat(10_000)}`, 'refuse'],
  ['q with an RTL override', `q=${q('Invoice \u202egnp')}`, 'either'],
  ['q with zero-width characters and a BOM', `q=${q('Zero\u200bwidth\ufeff')}`, 'either'],
  ['q with combining marks', `q=${q('Cafe\u0301 Z' + '\u0300'.repeat(90))}`, 'either'],
  ['q with NUL', 'q=a%00b', 'refuse'],
  ['q with a lone surrogate (CESU-8)', 'q=a%ED%A0%80b', 'refuse'],
  ['q with invalid percent-encoding', 'q=a%ffb', 'refuse'],
  ['q empty', 'q=', 'same'],
];

const FILTER_QUERIES: [string, string, Expectation][] = [
  ['filter not one of its values', 'filter=bogus', 'refuse'],
  ['filter in capitals', 'filter=ALL', 'refuse'],
  ['filter twice', 'filter=all&filter=trash', 'refuse'],
  ['filter = an operator object', `filter=${q('{"$ne":"x"}')}`, 'refuse'],
  ['filter with NUL', 'filter=all%00', 'refuse'],
  ['filter as a number', 'filter=1', 'refuse'],
  ['filter with a trailing space', 'filter=all%20', 'refuse'],
];

const REPORT_QUERIES: [string, string, Expectation][] = [
  ['from not a date', 'from=yesterday', 'refuse'],
  ['from without a time zone', 'from=2026-11-01T00:00:00', 'refuse'],
  ['from a date only', 'from=2026-11-01', 'refuse'],
  ['to before from', 'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'refuse'],
  ['a period of 367 days', 'from=2025-11-01T00:00:00Z&to=2026-11-03T00:00:00Z', 'refuse'],
  ['from twice', 'from=2026-11-01T00:00:00Z&from=2026-11-02T00:00:00Z', 'refuse'],
  ['from = an operator object', `from=${q('{"$gt":""}')}`, 'refuse'],
  ['from[$gt]=', 'from[$gt]=', 'same'],
  ['from with NUL', 'from=2026-11-01T00:00:00Z%00', 'refuse'],
  ['from of 41 characters', `from=${'2'.repeat(41)}`, 'refuse'],
  ['format not json or csv', 'format=xml', 'refuse'],
  ['format in capitals', 'format=CSV', 'refuse'],
  ['format twice', 'format=json&format=csv', 'refuse'],
];

const MAILBOX_QUERIES: [string, string, Expectation][] = [
  ['box not one of its values', 'box=bogus', 'refuse'],
  ['box in capitals', 'box=INBOX', 'refuse'],
  ['box twice', 'box=inbox&box=sent', 'refuse'],
  ['box[$ne]=x', 'box[$ne]=x', 'same'],
  ['box = an operator object', `box=${q('{"$ne":"x"}')}`, 'refuse'],
];

/** The access trail's filters (access-audit). Records keep arriving, so nothing here is 'same'. */
const AUDIT_QUERIES: [string, string, Expectation][] = [
  ['limit=0', 'limit=0', 'refuse'],
  ['limit=201', 'limit=201', 'refuse'],
  ['limit=abc', 'limit=abc', 'refuse'],
  ['limit=1.5', 'limit=1.5', 'refuse'],
  ['limit twice', 'limit=1&limit=2', 'either'],
  ['action = $where', `action=${q('$where')}`, 'refuse'],
  ['action in capitals', 'action=THREAD.READ', 'refuse'],
  ['action = an operator object', `action=${q('{"$ne":"x"}')}`, 'refuse'],
  ['actorId of 129 characters', `actorId=${'x'.repeat(129)}`, 'refuse'],
  ['threadId = $where', `threadId=${q('$where')}`, 'either'],
  ['threadId = an operator object', `threadId=${q('{"$gt":""}')}`, 'either'],
  ['outcome not served or refused', 'outcome=denied', 'refuse'],
  ['outcome in capitals', 'outcome=REFUSED', 'refuse'],
  ['outcome = an operator object', `outcome=${q('{"$ne":"served"}')}`, 'refuse'],
  ['outcome twice', 'outcome=served&outcome=refused', 'refuse'],
  ['from not a date', 'from=not-a-date', 'refuse'],
  ['to not a date', 'to=yesterday', 'refuse'],
  ['a window of six years', 'from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'refuse'],
  ['a cursor this service never issued', 'cursor=not-a-cursor', 'either'],
  ['a cursor of 401 characters', `cursor=${'A'.repeat(401)}`, 'refuse'],
];

/** `after` on a member's thread: a routing version, an integer ≥ 1. */
const VERSION_QUERIES: [string, string, Expectation][] = [
  ['after=0', 'after=0', 'refuse'],
  ['after=-1', 'after=-1', 'refuse'],
  ['after=1.5', 'after=1.5', 'refuse'],
  ['after=abc', 'after=abc', 'refuse'],
  ['after=Infinity', 'after=Infinity', 'refuse'],
  ['after=1e400', 'after=1e400', 'refuse'],
  ['after empty', 'after=', 'refuse'],
  ['after twice', 'after=1&after=2', 'refuse'],
  ['after[$gt]=0', 'after[$gt]=0', 'same'],
  ['after = an operator object', `after=${q('{"$gt":0}')}`, 'refuse'],
  // A version the thread never reaches: waits CONSISTENCY_WAIT_MS, then 503 not-yet-consistent.
  ['a version far ahead', 'after=999999999', 'refuse'],
];

/** `after` on a patient's thread: a messageId (1–128 of letters, digits, `_:.-`). */
const MESSAGE_ID_QUERIES: [string, string, Expectation][] = [
  ['after = $where', `after=${q('$where')}`, 'refuse'],
  ['after = an operator object', `after=${q('{"$gt":""}')}`, 'refuse'],
  ['after[$ne]=x', 'after[$ne]=x', 'same'],
  ['after of 129 characters', `after=${'m'.repeat(129)}`, 'refuse'],
  ['after with an emoji', `after=${q('msg_\u{1F600}')}`, 'refuse'],
  ['after with a space', 'after=msg%20x', 'refuse'],
  ['after twice', 'after=a&after=b', 'refuse'],
  ['after empty', 'after=', 'refuse'],
  // A message that never shows: waits CONSISTENCY_WAIT_MS, then 503 not-yet-consistent.
  ['a message that does not exist', 'after=msg_nothing', 'refuse'],
];

/** Consistency-Token values no service may wait on: each is 400 invalid-consistency-token. */
function consistencyTokenProbes(): [string, string][] {
  const otherPractice = w.run.consistencyTokens[O.practiceId]![0]!;
  const [format, writeId, issued, , mac] = otherPractice.split('.');
  const forged = `${format}.${writeId}.${issued}.m9.${mac}`;
  return [
    ['garbage', 'not-a-token'],
    ['a real token of the other practice', otherPractice],
    ['a token with altered counts', forged],
    ['seventeen tokens', Array<string>(17).fill(otherPractice).join(',')],
    ['an empty entry', `${otherPractice},`],
    ['an operator object', '{"$gt":""}'],
    ['$where', '$where'],
    ['3000 characters', 'A'.repeat(3000)],
  ];
}

// --- endpoints -----------------------------------------------------------------

interface Field {
  path: (string | number)[];
  kinds: Kind[];
  /** A text field of at most this many code points: unicode probes. */
  text?: number;
  /**
   * An id: `new` names what the request creates (any well-formed id will do),
   * `ref` must name something of the caller's practice (not: an id naming
   * nothing, or, with `foreign`, this id of the other practice).
   */
  id?: 'new' | 'ref';
  foreign?: string;
  /** One of these strings. */
  values?: string[];
  /** Unique per practice (group names): probes get a suffix. */
  unique?: boolean;
}

interface Endpoint {
  name: string;
  service: ServiceName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path, with `param` in place of its one path parameter when given. */
  path: (param?: string) => string;
  hasParam: boolean;
  token: () => Promise<string>;
  /** A valid body to mutate; absent: the route reads no body. */
  valid?: () => Json;
  fields?: Field[];
  /** Objects inside the body where hostile keys are tried too. */
  nested?: (string | number)[][];
  /** Creates something new when it succeeds: odd-but-valid text may be accepted there. */
  creates?: boolean;
  limitBytes?: number;
  headers?: [string, string[]][];
  /** The path parameter is an id the service accepts as written (directory upserts). */
  paramIsNewId?: boolean;
  /** Path values that are well-formed ids here (the directory's rule allows dots). */
  validParams?: string[];
  /** Query strings of this route's own parameters: label, query, expectation. */
  queries?: [string, string, Expectation][];
  /** Accepted odd-but-valid text is checked afterwards to be stored as sent, though nothing is created. */
  keepsText?: boolean;
  /** Hostile values of this route's own rules, beyond the generic ones. */
  cases?: () => Case[];
}

const KB = 1024;
const member = (key: string) => w.tokens.member(H.practiceId, H.members[key].id);
const patientToken = (key: string) => w.tokens.patient(H.practiceId, H.patients[key].id);
const system = () => w.tokens.system(H.practiceId, H.systemId);
/** A platform operator (ADR 0019): the rebuild routes are theirs only. */
const operator = () => w.tokens.operator(H.practiceId);
const admin = () => member('practiceAdmin');

const str = (path: (string | number)[], extra: Partial<Field> = {}): Field => ({
  path,
  kinds: ['string'],
  ...extra,
});

/** A valid workflow (GET/PUT /message-groups/:groupId/workflow), every setting given. */
const WORKFLOW_TEXT = 'Thank you: we reply on the next business day.';
const workflowBody = (): Json => ({
  responseTargetSeconds: 3600,
  businessHours: {
    timeZone: 'America/New_York',
    weekly: [
      { day: 'mon', opens: '08:00', closes: '17:00' },
      { day: 'tue', opens: '08:00', closes: '17:00' },
    ],
    closedDates: ['2026-12-25'],
  },
  acknowledgement: { when: 'outside-business-hours', text: WORKFLOW_TEXT },
  returnToQueueSeconds: 7200,
});

/** The workflow's own rules, each broken in a way a hostile client would try. */
function workflowCases(): Case[] {
  const body = () => workflowBody() as { [key: string]: Json };
  const at = (path: (string | number)[], value: Json) => setAt(body(), path, value);
  const opening = (opens: Json, closes: Json, day: Json = 'mon') => ({ day, opens, closes });
  /** The valid body with a number literal JSON.stringify cannot write. */
  const raw = (literal: string) =>
    JSON.stringify(body()).replace(
      '"responseTargetSeconds":3600',
      `"responseTargetSeconds":${literal}`,
    );
  const cases: [string, Json][] = [
    ['responseTargetSeconds 0', at(['responseTargetSeconds'], 0)],
    ['responseTargetSeconds -1', at(['responseTargetSeconds'], -1)],
    ['responseTargetSeconds 1.5', at(['responseTargetSeconds'], 1.5)],
    ['responseTargetSeconds "3600"', at(['responseTargetSeconds'], '3600')],
    ['responseTargetSeconds one past a year', at(['responseTargetSeconds'], 31_536_001)],
    ['responseTargetSeconds 1e308', at(['responseTargetSeconds'], 1e308)],
    ['returnToQueueSeconds 0', at(['returnToQueueSeconds'], 0)],
    ['returnToQueueSeconds 0.001', at(['returnToQueueSeconds'], 0.001)],
    ['timeZone Mars/Base', at(['businessHours', 'timeZone'], 'Mars/Base')],
    ['timeZone in lower case', at(['businessHours', 'timeZone'], 'america/new_york')],
    ['timeZone as a path', at(['businessHours', 'timeZone'], '../../etc/passwd')],
    ['timeZone an offset', at(['businessHours', 'timeZone'], '+05:00')],
    ['timeZone with an RTL override', at(['businessHours', 'timeZone'], 'UTC\u202e')],
    ['timeZone of 65 characters', at(['businessHours', 'timeZone'], `Europe/${'x'.repeat(58)}`)],
    ['timeZone empty', at(['businessHours', 'timeZone'], '')],
    ['opens 8:00', at(['businessHours', 'weekly', 0], opening('8:00', '17:00'))],
    ['opens 24:00', at(['businessHours', 'weekly', 0], opening('24:00', '24:00'))],
    ['closes 24:01', at(['businessHours', 'weekly', 0], opening('08:00', '24:01'))],
    ['opens 23:60', at(['businessHours', 'weekly', 0], opening('23:60', '24:00'))],
    [
      'opens in full-width digits',
      at(['businessHours', 'weekly', 0], opening('\uff10\uff18:\uff10\uff10', '17:00')),
    ],
    ['closes before opens', at(['businessHours', 'weekly', 0], opening('17:00', '08:00'))],
    [
      'overlapping openings',
      at(['businessHours', 'weekly'], [opening('08:00', '12:00'), opening('11:00', '17:00')]),
    ],
    ['no opening', at(['businessHours', 'weekly'], [])],
    [
      '71 openings',
      at(
        ['businessHours', 'weekly'],
        Array.from({ length: 71 }, (_, i) =>
          opening(`${String(i % 24).padStart(2, '0')}:00`, `${String(i % 24).padStart(2, '0')}:30`),
        ),
      ),
    ],
    [
      '5,000 openings',
      at(['businessHours', 'weekly'], Array<Json>(5000).fill(opening('08:00', '09:00'))),
    ],
    ['a closed date that does not exist', at(['businessHours', 'closedDates'], ['2026-02-30'])],
    ['a closed date with a time', at(['businessHours', 'closedDates'], ['2026-12-25T00:00:00Z'])],
    ['a closed date twice', at(['businessHours', 'closedDates'], ['2026-12-25', '2026-12-25'])],
    [
      '401 closed dates',
      at(
        ['businessHours', 'closedDates'],
        Array.from({ length: 401 }, (_, i) =>
          new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10),
        ),
      ),
    ],
    ['an acknowledgement with a line break', at(['acknowledgement', 'text'], 'Got it.\nBye')],
    ['an acknowledgement with a C1 control', at(['acknowledgement', 'text'], 'Got\u0085it')],
    ['an acknowledgement of blanks only', at(['acknowledgement', 'text'], ' \u00a0 ')],
    ['outside business hours without business hours', at(['businessHours'], null)],
    // Automatic assignment (optional: left out, it is off), each rule broken.
    ['assignment capacity 0', { ...body(), assignment: { mode: 'round-robin', capacity: 0 } }],
    [
      'assignment capacity 1001',
      { ...body(), assignment: { mode: 'round-robin', capacity: 1001 } },
    ],
    ['assignment capacity 1.5', { ...body(), assignment: { mode: 'least-loaded', capacity: 1.5 } }],
    ['assignment capacity "3"', { ...body(), assignment: { mode: 'round-robin', capacity: '3' } }],
    [
      'assignment capacity 1e308',
      { ...body(), assignment: { mode: 'round-robin', capacity: 1e308 } },
    ],
    ['assignment mode random', { ...body(), assignment: { mode: 'random', capacity: null } }],
    [
      'assignment mode an operator',
      { ...body(), assignment: { mode: { $ne: null }, capacity: null } },
    ],
    ['a capacity with assignment off', { ...body(), assignment: { mode: 'off', capacity: 5 } }],
    ['an assignment without its capacity', { ...body(), assignment: { mode: 'round-robin' } }],
    ['an assignment of null', { ...body(), assignment: null }],
    [
      'an assignment as an array',
      { ...body(), assignment: [{ mode: 'round-robin', capacity: 5 }] },
    ],
    [
      'an unknown field in the assignment',
      { ...body(), assignment: { mode: 'round-robin', capacity: 5, $where: '1' } },
    ],
    ['a setting left out', { ...body(), returnToQueueSeconds: undefined } as unknown as Json],
  ];
  return [
    ...cases.map(([label, value]): Case => ({ label, expect: 'refuse', body: value })),
    { label: 'responseTargetSeconds 1e400', expect: 'refuse', raw: raw('1e400') },
    {
      label: 'responseTargetSeconds 2^53 + 1',
      expect: 'refuse',
      raw: raw('9007199254740993'),
    },
  ];
}

/** A valid list of quick replies (PUT /message-groups/:groupId/quick-replies): one new template. */
const QUICK_REPLY = {
  title: 'Statement corrected',
  text: 'Your statement is corrected.\nThank you.',
};
const quickRepliesBody = (): Json => ({ quickReplies: [{ ...QUICK_REPLY }] });

/** The quick replies' own rules, each broken in a way a hostile client would try. */
function quickReplyCases(): Case[] {
  const template = (change: { [key: string]: Json }): Json => ({ ...QUICK_REPLY, ...change });
  const list = (...templates: Json[]): Json => ({ quickReplies: templates });
  const cases: [string, Json][] = [
    [
      '101 templates',
      { quickReplies: Array.from({ length: 101 }, (_, i) => ({ title: `T${i}`, text: 'x' })) },
    ],
    ['300 templates', { quickReplies: Array<Json>(300).fill({ title: 'T', text: 'x' }) }],
    ['a title of blanks', list(template({ title: ' \u00a0\t ' }))],
    ['a title of invisible characters', list(template({ title: '\u200b\ufeff' }))],
    ['a title with a line break', list(template({ title: 'Call\nus' }))],
    ['a title with a C1 control', list(template({ title: 'Call\u0085us' }))],
    ['a text of blanks and line breaks', list(template({ text: ' \r\n\t ' }))],
    ['a text with a bell', list(template({ text: 'Ding\u0007' }))],
    ['a text with an escape sequence', list(template({ text: '\u001b[31mred' }))],
    ['a text with DEL', list(template({ text: 'a\u007fb' }))],
    [
      'the same title twice, in another case and with blanks',
      list(template({}), template({ title: '  STATEMENT   corrected ', text: 'Other' })),
    ],
    [
      'the same title twice, one with a zero-width space',
      list(template({}), template({ title: 'Statement\u200b corrected', text: 'Other' })),
    ],
    ['an id the group never had', list(template({ quickReplyId: `qr_${randomUUID()}` }))],
    ['an id in capitals', list(template({ quickReplyId: `qr_${randomUUID()}`.toUpperCase() }))],
    ['an id of another kind', list(template({ quickReplyId: `grp_${randomUUID()}` }))],
    [
      'the same new id twice',
      ((id: string) =>
        list(template({ quickReplyId: id }), template({ quickReplyId: id, title: 'B' })))(
        `qr_${randomUUID()}`,
      ),
    ],
    ['an id of null', list(template({ quickReplyId: null }))],
  ];
  return cases.map(([label, body]): Case => ({ label, expect: 'refuse', body }));
}

function endpoints(): Endpoint[] {
  const groupBody = (): Json => ({
    name: `Hostile ${TAG} ${++unique}`,
    description: 'A group for hostile input',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
  });
  const groupFields = (creates: boolean): Field[] => [
    str(['name'], { text: 100, unique: creates }),
    { path: ['description'], kinds: ['string', 'null'], text: 500 },
    { path: ['facilityId'], kinds: ['string', 'null'], id: 'ref' },
    { path: ['patientCategoryId'], kinds: ['string', 'null'], id: 'ref' },
    str(['recipientMode'], { values: ['specific-members', 'care-team'] }),
    { path: ['members'], kinds: ['array'] },
    { path: ['members', 0], kinds: ['object'] },
    str(['members', 0, 'memberId'], { id: 'ref' }),
    str(['members', 0, 'privilege'], { values: ['admin', 'user'] }),
  ];
  const directoryPut = (name: string, body: () => Json, fields: Field[]): Endpoint => ({
    name: `PUT /directory/${name}/:id`,
    service: 'practice-directory',
    method: 'PUT',
    path: (param = `${name.slice(0, 3)}_hostile_${TAG}`) => `/directory/${name}/${param}`,
    hasParam: true,
    paramIsNewId: true,
    validParams: DIRECTORY_IDS,
    token: system,
    valid: body,
    fields,
    limitBytes: 5 * KB * KB,
  });
  const optionalBoolean: Field = { path: ['active'], kinds: ['boolean', 'null'] };
  const threadRoute = (action: string, token: () => Promise<string>, extra: Partial<Endpoint>) =>
    ({
      name: `POST /threads/:threadId/${action}`,
      service: 'routing-assignment',
      method: 'POST',
      path: (param = thread.threadId) => `/threads/${param}/${action}`,
      hasParam: true,
      token,
      limitBytes: 64 * KB,
      ...extra,
    }) as Endpoint;

  return [
    // practice-directory
    {
      name: 'POST /directory/import',
      service: 'practice-directory',
      method: 'POST',
      path: () => '/directory/import',
      hasParam: false,
      token: system,
      valid: () => ({
        practice: { name: H.name, plan: 'paid' },
        members: [{ id: 'mbr_import', displayName: 'Ina Hostile', roleId: null }],
      }),
      fields: [
        { path: ['practice'], kinds: ['object'] },
        str(['practice', 'name'], { text: 200 }),
        str(['practice', 'plan'], { values: ['free', 'paid'] }),
        { path: ['members'], kinds: ['array', 'null'] },
        str(['members', 0, 'id'], { id: 'new' }),
        str(['members', 0, 'displayName'], { text: 200 }),
        { path: ['members', 0, 'roleId'], kinds: ['string', 'null'], id: 'ref' },
      ],
      nested: [['practice'], ['members', 0]],
      limitBytes: 5 * KB * KB,
    },
    {
      name: 'PUT /directory/practice',
      service: 'practice-directory',
      method: 'PUT',
      path: () => '/directory/practice',
      hasParam: false,
      token: system,
      valid: () => ({ name: H.name, plan: 'paid' }),
      fields: [str(['name'], { text: 200 }), str(['plan'], { values: ['free', 'paid'] })],
      limitBytes: 5 * KB * KB,
    },
    directoryPut('facilities', () => ({ name: 'Hostile Clinic' }), [
      str(['name'], { text: 200 }),
      optionalBoolean,
    ]),
    directoryPut('patient-categories', () => ({ name: 'Hostile Category' }), [
      str(['name'], { text: 200 }),
      optionalBoolean,
    ]),
    directoryPut('roles', () => ({ name: 'Hostile Role', privileges: [] }), [
      str(['name'], { text: 200 }),
      { path: ['privileges'], kinds: ['array'] },
      str(['privileges', 0], { values: ['settings.phr-settings'] }),
    ]),
    directoryPut('members', () => ({ displayName: 'Hal Hostile', roleId: null }), [
      str(['displayName'], { text: 200 }),
      { path: ['roleId'], kinds: ['string', 'null'], id: 'ref' },
      optionalBoolean,
    ]),
    directoryPut(
      'patients',
      () => ({
        displayName: 'Hope Hostile',
        facilityId: null,
        categoryIds: [],
        careTeamMemberIds: [],
      }),
      [
        str(['displayName'], { text: 200 }),
        { path: ['facilityId'], kinds: ['string', 'null'], id: 'ref' },
        { path: ['categoryIds'], kinds: ['array'] },
        str(['categoryIds', 0], { id: 'ref' }),
        { path: ['careTeamMemberIds'], kinds: ['array'] },
        str(['careTeamMemberIds', 0], { id: 'ref' }),
      ],
    ),
    {
      name: 'GET /directory/:kind/:id',
      service: 'practice-directory',
      method: 'GET',
      path: (param = H.members.groupAdmin.id) => `/directory/member/${param}`,
      hasParam: true,
      validParams: DIRECTORY_IDS,
      token: system,
    },
    {
      name: 'GET /directory/:kind/:id (the kind)',
      service: 'practice-directory',
      method: 'GET',
      path: (param = 'member') => `/directory/${param}/${H.members.groupAdmin.id}`,
      hasParam: true,
      token: system,
    },
    // group-config
    {
      name: 'POST /message-groups',
      service: 'group-config',
      method: 'POST',
      path: () => '/message-groups',
      hasParam: false,
      token: admin,
      valid: groupBody,
      fields: groupFields(true),
      nested: [['members', 0]],
      creates: true,
      limitBytes: 64 * KB,
    },
    {
      name: 'GET /message-groups',
      service: 'group-config',
      method: 'GET',
      path: () => '/message-groups',
      hasParam: false,
      token: admin,
    },
    {
      name: 'GET /message-groups/:groupId',
      service: 'group-config',
      method: 'GET',
      path: (param = H.groupIds.billing) => `/message-groups/${param}`,
      hasParam: true,
      token: admin,
    },
    {
      name: 'PUT /message-groups/:groupId',
      service: 'group-config',
      method: 'PUT',
      path: (param = H.groupIds.billing) => `/message-groups/${param}`,
      hasParam: true,
      token: admin,
      valid: () => H.groups.billing as unknown as Json,
      fields: groupFields(false),
      nested: [['members', 0]],
      limitBytes: 64 * KB,
      headers: [
        ['if-match', ['{"$gt":""}', '"1" OR 1=1', '9999999999', '-1', '*,"1"', '"\u00ff1"']],
      ],
    },
    {
      name: 'GET /message-groups/:groupId/workflow',
      service: 'group-config',
      method: 'GET',
      path: (param = workflowTarget) => `/message-groups/${param}/workflow`,
      hasParam: true,
      token: admin,
    },
    {
      name: 'PUT /message-groups/:groupId/workflow',
      service: 'group-config',
      method: 'PUT',
      path: (param = workflowTarget) => `/message-groups/${param}/workflow`,
      hasParam: true,
      token: admin,
      valid: workflowBody,
      fields: [
        { path: ['responseTargetSeconds'], kinds: ['number', 'null'] },
        { path: ['businessHours'], kinds: ['object', 'null'] },
        str(['businessHours', 'timeZone'], { values: ['America/New_York'] }),
        { path: ['businessHours', 'weekly'], kinds: ['array'] },
        { path: ['businessHours', 'weekly', 0], kinds: ['object'] },
        str(['businessHours', 'weekly', 0, 'day'], { values: ['mon', 'tue', 'wed', 'thu', 'fri'] }),
        str(['businessHours', 'weekly', 0, 'opens']),
        str(['businessHours', 'weekly', 0, 'closes']),
        { path: ['businessHours', 'closedDates'], kinds: ['array'] },
        str(['businessHours', 'closedDates', 0]),
        { path: ['acknowledgement'], kinds: ['object', 'null'] },
        str(['acknowledgement', 'when'], { values: ['always', 'outside-business-hours'] }),
        str(['acknowledgement', 'text'], { text: 1000 }),
        { path: ['returnToQueueSeconds'], kinds: ['number', 'null'] },
      ],
      nested: [['businessHours'], ['businessHours', 'weekly', 0], ['acknowledgement']],
      keepsText: true,
      cases: workflowCases,
      limitBytes: 64 * KB,
      headers: [
        [
          'if-match',
          ['{"$gt":""}', '"1" OR 1=1', '9999999999', '-1', '*,"1"', '"\u00ff1"', '"999"'],
        ],
      ],
    },
    {
      name: 'GET /message-groups/:groupId/quick-replies',
      service: 'group-config',
      method: 'GET',
      path: (param = workflowTarget) => `/message-groups/${param}/quick-replies`,
      hasParam: true,
      token: admin,
    },
    {
      name: 'PUT /message-groups/:groupId/quick-replies',
      service: 'group-config',
      method: 'PUT',
      path: (param = workflowTarget) => `/message-groups/${param}/quick-replies`,
      hasParam: true,
      token: admin,
      valid: quickRepliesBody,
      fields: [
        { path: ['quickReplies'], kinds: ['array'] },
        { path: ['quickReplies', 0], kinds: ['object'] },
        str(['quickReplies', 0, 'title'], { text: 100 }),
        str(['quickReplies', 0, 'text'], { text: 20_000 }),
        // Ids are the service's to give: any this group does not have is refused.
        str(['quickReplies', 0, 'quickReplyId'], { id: 'ref' }),
      ],
      nested: [['quickReplies', 0]],
      keepsText: true,
      cases: quickReplyCases,
      limitBytes: 64 * KB,
      headers: [
        [
          'if-match',
          ['{"$gt":""}', '"1" OR 1=1', '9999999999', '-1', '*,"1"', '"\u00ff1"', '"999"'],
        ],
      ],
    },
    {
      name: 'GET /members/:memberId/out-of-office',
      service: 'group-config',
      method: 'GET',
      path: (param = 'mbr_guser') => `/members/${param}/out-of-office`,
      hasParam: true,
      // Member ids by the directory's rule; its own rows create those members.
      validParams: DIRECTORY_IDS,
      token: admin,
    },
    {
      name: 'PUT /members/:memberId/out-of-office',
      service: 'group-config',
      method: 'PUT',
      path: (param = 'mbr_guser') => `/members/${param}/out-of-office`,
      hasParam: true,
      // Member ids by the directory's rule; its own rows create those members.
      validParams: DIRECTORY_IDS,
      token: admin,
      // Far ahead: a hostile run's periods act on no thread.
      valid: () => ({
        periods: [
          {
            startsAt: '2099-02-01T08:00:00.000Z',
            endsAt: '2099-02-05T17:00:00.000Z',
            coverMemberId: 'mbr_assignee',
          },
        ],
      }),
      fields: [
        { path: ['periods'], kinds: ['array'] },
        { path: ['periods', 0], kinds: ['object'] },
        str(['periods', 0, 'startsAt']),
        str(['periods', 0, 'endsAt']),
        str(['periods', 0, 'coverMemberId'], {
          values: ['mbr_assignee'],
          kinds: ['string', 'null'],
        }),
      ],
      nested: [['periods', 0]],
      limitBytes: 64 * KB,
      headers: [
        ['if-match', ['{"$gt":""}', '"1" OR 1=1', '9999999999', '-1', '*,"1"', '"\u00ff1"']],
      ],
    },
    {
      name: 'DELETE /message-groups/:groupId',
      service: 'group-config',
      method: 'DELETE',
      path: (param = deleteTarget) => `/message-groups/${param}`,
      hasParam: true,
      token: admin,
      limitBytes: 64 * KB,
    },
    // phr-preferences
    {
      name: 'GET /phr-preferences',
      service: 'phr-preferences',
      method: 'GET',
      path: () => '/phr-preferences',
      hasParam: false,
      token: admin,
    },
    {
      name: 'PUT /phr-preferences',
      service: 'phr-preferences',
      method: 'PUT',
      path: () => '/phr-preferences',
      hasParam: false,
      token: admin,
      valid: () => H.phr as unknown as Json,
      fields: [
        { path: ['allowPatientMessages'], kinds: ['boolean'] },
        str(['patientMessagePreference'], {
          values: ['groups-only', 'members-only', 'groups-and-members'],
        }),
        str(['memberRecipients'], { values: ['all-members', 'care-team'] }),
        { path: ['excludedMemberIds'], kinds: ['array'] },
        str(['excludedMemberIds', 0], { id: 'ref' }),
      ],
      limitBytes: 64 * KB,
      headers: [['if-match', ['{"$gt":""}', '"1" OR 1=1', '9999999999', '-1']]],
    },
    // messaging-intake
    {
      name: 'GET /recipients',
      service: 'messaging-intake',
      method: 'GET',
      path: () => '/recipients',
      hasParam: false,
      token: () => patientToken('otherPatient'),
    },
    {
      name: 'POST /threads',
      service: 'messaging-intake',
      method: 'POST',
      path: () => '/threads',
      hasParam: false,
      token: () => patientToken('otherPatient'),
      valid: () => ({
        recipient: { kind: 'group', groupId: H.groupIds.billing },
        subject: 'Hostile subject',
        body: 'Hostile body',
      }),
      fields: [
        { path: ['recipient'], kinds: ['object'] },
        str(['recipient', 'kind'], { values: ['group', 'member'] }),
        str(['recipient', 'groupId'], { id: 'ref', foreign: O.groupIds.billing }),
        str(['subject'], { text: 200 }),
        str(['body'], { text: 20_000 }),
      ],
      nested: [['recipient']],
      creates: true,
      limitBytes: 256 * KB,
      headers: [['idempotency-key', ['$where', '{"$gt":""}', 'a'.repeat(101), 'a.b', '\u00ff']]],
    },
    {
      name: 'POST /threads/:threadId/messages',
      service: 'messaging-intake',
      method: 'POST',
      path: (param = followUpThread.threadId) => `/threads/${param}/messages`,
      hasParam: true,
      token: () => patientToken('followUp'),
      valid: () => ({ body: 'Hostile follow-up' }),
      fields: [str(['body'], { text: 20_000 })],
      creates: true,
      limitBytes: 256 * KB,
      headers: [['idempotency-key', ['$where', '{"$gt":""}', 'a'.repeat(101)]]],
    },
    // routing-assignment
    threadRoute('assignment', () => member('groupAdmin'), {
      valid: () => ({ assigneeMemberId: H.members.assignee.id }),
      fields: [str(['assigneeMemberId'], { id: 'ref' })],
    }),
    threadRoute('replies', () => member('groupAdmin'), {
      valid: () => ({ body: 'Hostile reply' }),
      fields: [str(['body'], { text: 20_000 })],
      creates: true,
    }),
    threadRoute('notes', () => member('groupAdmin'), {
      valid: () => ({ body: 'Hostile note' }),
      fields: [str(['body'], { text: 20_000 })],
      creates: true,
    }),
    threadRoute('trash', () => member('groupAdmin'), {}),
    threadRoute('restore', () => member('groupAdmin'), {}),
    {
      name: 'GET /threads/:threadId/timeline',
      service: 'routing-assignment',
      method: 'GET',
      path: (param = thread.threadId) => `/threads/${param}/timeline`,
      hasParam: true,
      token: () => member('groupAdmin'),
    },
    // access-audit: the trail, read by a member holding audit.read
    {
      name: 'GET /access-records',
      service: 'access-audit',
      method: 'GET',
      path: () => '/access-records',
      hasParam: false,
      token: () => member('auditor'),
      queries: AUDIT_QUERIES,
    },
    // inbox-projection (the read model; the live feed /inbox/events never ends and is left out)
    {
      name: 'GET /inbox/groups',
      service: 'inbox-projection',
      method: 'GET',
      path: () => '/inbox/groups',
      hasParam: false,
      token: () => member('groupAdmin'),
    },
    {
      name: 'GET /inbox/groups/:groupId/threads',
      service: 'inbox-projection',
      method: 'GET',
      path: (param = H.groupIds.billing) => `/inbox/groups/${param}/threads`,
      hasParam: true,
      token: () => member('groupAdmin'),
      queries: [...FILTER_QUERIES, ...PAGING_QUERIES],
    },
    {
      name: 'GET /inbox/direct',
      service: 'inbox-projection',
      method: 'GET',
      path: () => '/inbox/direct',
      hasParam: false,
      token: () => member('careTeam'),
      queries: [...FILTER_QUERIES, ...PAGING_QUERIES],
    },
    {
      name: 'GET /inbox/threads/:threadId',
      service: 'inbox-projection',
      method: 'GET',
      path: (param = thread.threadId) => `/inbox/threads/${param}`,
      hasParam: true,
      token: () => member('groupAdmin'),
      queries: VERSION_QUERIES,
    },
    {
      name: 'GET /mailbox',
      service: 'inbox-projection',
      method: 'GET',
      path: () => '/mailbox',
      hasParam: false,
      token: () => patientToken('patient'),
      queries: [...MAILBOX_QUERIES, ...PAGING_QUERIES],
    },
    {
      name: 'GET /mailbox/threads/:threadId',
      service: 'inbox-projection',
      method: 'GET',
      path: (param = thread.threadId) => `/mailbox/threads/${param}`,
      hasParam: true,
      token: () => patientToken('patient'),
      queries: MESSAGE_ID_QUERIES,
    },
    {
      name: 'GET /reports/groups/:groupId/progress',
      service: 'inbox-projection',
      method: 'GET',
      path: (param = H.groupIds.billing) => `/reports/groups/${param}/progress`,
      hasParam: true,
      token: () => member('groupAdmin'),
      queries: REPORT_QUERIES,
    },
    {
      name: 'GET /reports/practice/progress',
      service: 'inbox-projection',
      method: 'GET',
      path: () => '/reports/practice/progress',
      hasParam: false,
      token: () => member('practiceAdmin'),
      queries: REPORT_QUERIES,
    },
    {
      name: 'GET /admin/rebuild',
      service: 'inbox-projection',
      method: 'GET',
      path: () => '/admin/rebuild',
      hasParam: false,
      token: operator,
    },
    {
      // Only bodies it must refuse: a rebuild it accepted would be a finding.
      name: 'POST /admin/rebuild',
      service: 'inbox-projection',
      method: 'POST',
      path: () => '/admin/rebuild',
      hasParam: false,
      token: operator,
      limitBytes: 100 * KB,
    },
  ];
}

// --- cases ---------------------------------------------------------------------

interface Case {
  label: string;
  expect: Expectation;
  path?: string;
  body?: Json;
  raw?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** For `same`: the path without the query. */
  plainPath?: string;
  /** For an accepted `either`: how to check that what is stored is what was sent. */
  sent?: { field: (string | number)[]; value: string };
}

const clone = <T>(value: T): T => structuredClone(value);

function setAt(body: Json, path: (string | number)[], value: Json): Json {
  const copy = clone(body);
  let node = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, Json>;
  node[path[path.length - 1]] = value;
  return copy;
}

/** Adds a key as an own property, even `__proto__`. */
function withKey(body: Json, at: (string | number)[], key: string, value: Json): Json {
  const copy = clone(body);
  let node = copy as Record<string | number, Json>;
  for (const step of at) node = node[step] as Record<string | number, Json>;
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

let unique = 0;

function casesOf(endpoint: Endpoint): Case[] {
  const cases: Case[] = [];
  const valid = endpoint.valid?.();
  /** A valid body per case (group names must differ from case to case). */
  const fresh = () => endpoint.valid?.() as Json;
  const limit = endpoint.limitBytes ?? 64 * KB;

  // Bodies the JSON parser must refuse (for routes without a body too: the parser runs
  // first). GET requests carry no body.
  if (endpoint.method !== 'GET') {
    for (const raw of MALFORMED) {
      cases.push({ label: `malformed JSON ${JSON.stringify(raw)}`, expect: 'refuse', raw });
    }
    cases.push({
      label: `a body over the limit (${limit + 4 * KB} bytes)`,
      expect: 'refuse',
      raw: JSON.stringify({ padding: 'x'.repeat(limit + 4 * KB) }),
    });
  }

  if (valid !== undefined) {
    const fields = endpoint.fields ?? [];
    const textField = fields.find((f) => f.text);
    cases.push(
      {
        label: 'valid JSON sent as text/plain',
        expect: 'refuse',
        raw: JSON.stringify(valid),
        contentType: 'text/plain',
      },
      {
        label: 'a form body with operators',
        expect: 'refuse',
        raw: 'name[$gt]=&$where=1',
        contentType: 'application/x-www-form-urlencoded',
      },
      {
        label: 'JSON in UTF-16',
        expect: 'refuse',
        raw: JSON.stringify(valid),
        contentType: 'application/json; charset=utf-16',
      },
      { label: 'an array instead of an object', expect: 'refuse', body: [valid] },
      { label: 'an empty object', expect: 'refuse', body: {} },
      { label: 'an unknown field', expect: 'refuse', body: withKey(fresh(), [], 'isAdmin', true) },
      {
        label: 'a field twice, the second an operator',
        expect: 'refuse',
        raw: `${JSON.stringify(fresh()).slice(0, -1)},"${String(fields[0]?.path[0] ?? 'x')}":{"$gt":""}}`,
      },
    );
    // Built as text: the client's own JSON.stringify would overflow its stack.
    const deep = `${'['.repeat(5000)}"bottom"${']'.repeat(5000)}`;
    cases.push({
      label: 'an unknown field nested 5,000 deep',
      expect: 'refuse',
      raw: `${JSON.stringify(fresh()).slice(0, -1)},"deep":${deep}}`,
    });
    cases.push({
      label: 'a known field nested 5,000 deep',
      expect: 'refuse',
      raw: `${JSON.stringify(fresh()).slice(0, -1)},"${String(endpoint.fields?.[0]?.path[0] ?? 'x')}":${deep}}`,
    });
    if (textField) {
      const [head, tail] = JSON.stringify(setAt(fresh(), textField.path, '@@')).split('@@');
      cases.push({
        label: `invalid UTF-8 (an encoded surrogate, 0xFF) in ${textField.path.join('.')}`,
        expect: 'refuse',
        raw: Buffer.concat([
          Buffer.from(head),
          Buffer.from([0xed, 0xa0, 0x80, 0xff]),
          Buffer.from(tail),
        ]),
      });
    }
    for (const at of [[], ...(endpoint.nested ?? [])]) {
      for (const [key, value, expect] of HOSTILE_KEYS) {
        cases.push({
          label: `key ${JSON.stringify(key)} in ${at.length ? at.join('.') : 'the body'}`,
          expect,
          body: withKey(fresh(), at, key, value),
        });
      }
    }
    for (const field of fields) {
      const where = field.path.join('.');
      for (const kind of Object.keys(WRONG) as Kind[]) {
        if (field.kinds.includes(kind)) continue;
        cases.push({
          label: `${where} as ${kind}`,
          expect: 'refuse',
          body: setAt(fresh(), field.path, WRONG[kind]),
        });
      }
      if (!field.kinds.includes('string')) continue;
      for (const [label, operator] of OPERATORS) {
        cases.push({
          label: `${where} = ${label}`,
          expect: 'refuse',
          body: setAt(fresh(), field.path, operator),
        });
      }
      if (field.values) {
        cases.push({
          label: `${where} not one of its values`,
          expect: 'refuse',
          body: setAt(fresh(), field.path, `${field.values[0].toUpperCase()} `),
        });
      }
      if (field.id) {
        cases.push({
          label: `${where} with an operator string`,
          expect: 'refuse',
          body: setAt(fresh(), field.path, '{"$gt":""}'),
        });
        if (field.id === 'ref') {
          cases.push({
            label: `${where} naming nothing`,
            expect: 'refuse',
            body: setAt(fresh(), field.path, `nothing_${TAG}`),
          });
        }
        if (field.foreign) {
          cases.push({
            label: `${where} of the other practice`,
            expect: 'refuse',
            body: setAt(fresh(), field.path, field.foreign),
          });
        }
        for (const [label, value] of unicodeProbes(128)) {
          cases.push({
            label: `${where} with ${label}`,
            expect: 'refuse',
            body: setAt(fresh(), field.path, value),
          });
        }
      }
      if (field.text) {
        cases.push({
          label: `${where} one past its limit (${field.text + 1} code points)`,
          expect: 'refuse',
          body: setAt(fresh(), field.path, 'x'.repeat(field.text + 1)),
        });
        for (const [label, probe, expectation] of unicodeProbes(field.text)) {
          // Odd but valid text is only tried where success creates something new.
          if (expectation === 'either' && !endpoint.creates && !endpoint.keepsText) continue;
          const value = field.unique ? `${probe} ${++unique}${TAG}` : probe;
          const expect: Expectation =
            field.unique && codePoints(value) > field.text ? 'refuse' : expectation;
          cases.push({
            label: `${where} with ${label}`,
            expect,
            body: setAt(fresh(), field.path, value),
            sent: { field: field.path, value },
          });
        }
      }
    }
  }

  cases.push(...(endpoint.cases?.() ?? []));

  // Every route takes Consistency-Token (ADR 0018): a bad one is refused at once, never waited on.
  for (const [label, value] of consistencyTokenProbes()) {
    cases.push({
      label: `Consistency-Token: ${label}`,
      expect: 'refuse',
      body: valid === undefined ? undefined : fresh(),
      headers: { 'consistency-token': value },
    });
  }

  for (const [name, values] of endpoint.headers ?? []) {
    for (const value of values) {
      if (valid === undefined) continue;
      cases.push({
        label: `${name}: ${JSON.stringify(value).slice(0, 40)}`,
        expect: 'refuse',
        body: fresh(),
        headers: { [name]: value },
      });
    }
  }

  if (endpoint.hasParam) {
    for (const [label, value, expectation] of PATH_VALUES) {
      const expect = endpoint.validParams?.includes(value) ? 'either' : expectation;
      cases.push({
        label: `path parameter: ${label}`,
        expect,
        path: endpoint.path(value),
        body: valid === undefined ? undefined : fresh(),
      });
    }
  }

  if (endpoint.method === 'GET') {
    for (const query of QUERIES) {
      const plainPath = endpoint.path();
      cases.push({
        label: `query ?${query}`,
        expect: 'same',
        path: `${plainPath}?${query}`,
        plainPath,
      });
    }
    for (const [label, query, expect] of endpoint.queries ?? []) {
      const plainPath = endpoint.path();
      cases.push({ label: `query: ${label}`, expect, path: `${plainPath}?${query}`, plainPath });
    }
  }
  return cases;
}

// --- running -------------------------------------------------------------------

const tally = { cases: 0, serverErrors: 0, failed: 0, accepted: 0 };
const consumerReport: string[] = [];
/** What the services said 2xx to (so what may have been stored). */
const accepted: { endpoint: Endpoint; kase: Case; answer: Answer }[] = [];

async function runCase(endpoint: Endpoint, kase: Case, token: string): Promise<string | null> {
  const path = kase.path ?? endpoint.path();
  const answer = await call(endpoint.method, `${w.urls[endpoint.service]}${path}`, {
    token,
    body: kase.raw === undefined ? kase.body : undefined,
    raw: kase.raw,
    contentType: kase.contentType,
    headers: kase.headers,
  });
  tally.cases++;
  const ok2xx = answer.status >= 200 && answer.status < 300;
  if (ok2xx) {
    tally.accepted++;
    accepted.push({ endpoint, kase, answer });
  }
  let failure: string | null = null;
  // Not an error of the server: the answer to a write it has not reached (ADR 0018).
  const notYet =
    answer.status === 503 && isProblem(answer) && codeOf(answer) === 'not-yet-consistent';
  if (answer.status >= 500 && !notYet) {
    tally.serverErrors++;
    failure = `SERVER ERROR ${describeAnswer(answer)}`;
  } else if (answer.status >= 400) {
    if (notYet && kase.expect !== 'refuse') failure = 'not-yet-consistent where no wait was asked';
    else if (!isProblem(answer))
      failure = `${answer.status} is not problem+json with a code (${answer.contentType})`;
  } else if (kase.expect === 'refuse') {
    failure = `accepted (${answer.status}): expected a 4xx`;
  } else if (kase.expect === 'same') {
    failure = await changedByQuery(endpoint, kase, token, answer);
  }
  if (failure) tally.failed++;
  return failure && `${kase.label}: ${failure}`;
}

/**
 * For `same`: the answer without the query, compared while the resource holds
 * still (the read model follows other writes through Kafka, so an answer may
 * change between two requests for reasons of its own): plain, hostile, plain
 * again; a hostile answer that differs from two equal plain ones is the query's doing.
 */
async function changedByQuery(
  endpoint: Endpoint,
  kase: Case,
  token: string,
  first: Answer,
): Promise<string | null> {
  const get = (path: string) => call('GET', `${w.urls[endpoint.service]}${path}`, { token });
  let hostile = first;
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await get(kase.plainPath!);
    if (attempt > 0) hostile = await get(kase.path!);
    const after = await get(kase.plainPath!);
    if (before.status !== after.status || before.text !== after.text) {
      await sleep(300);
      continue;
    }
    if (hostile.status >= 400 && hostile.status < 500) return null;
    return before.status === hostile.status && before.text === hostile.text
      ? null
      : `the query changed the answer (${hostile.status}, ${hostile.text.slice(0, 80)})`;
  }
  return 'the answer without the query never held still';
}

// --- snapshots of what may not change --------------------------------------------

interface Snapshot {
  groups: string;
  phr: string;
  directory: Record<string, string>;
  timeline: { version: number; replied: number; noted: number };
  /** The read model's rebuild status (no hostile request may have started one). */
  rebuild: string;
}

async function snapshot(): Promise<Snapshot> {
  const token = await admin();
  const groups = await call('GET', `${w.urls['group-config']}/message-groups`, { token });
  const phr = await call('GET', `${w.urls['phr-preferences']}/phr-preferences`, { token });
  const directory: Record<string, string> = {};
  const sys = await system();
  const entries: [string, string][] = [
    ['practice', H.practiceId],
    ...H.facilities.map((f): [string, string] => ['facility', f.id]),
    ...H.patientCategories.map((c): [string, string] => ['patient-category', c.id]),
    ...H.roles.map((r): [string, string] => ['role', r.id]),
    ...Object.values(H.members).map((m): [string, string] => ['member', m.id]),
    ...Object.values(H.patients).map((p): [string, string] => ['patient', p.id]),
  ];
  for (const [kind, id] of entries) {
    directory[`${kind}/${id}`] = (
      await call('GET', `${w.urls['practice-directory']}/directory/${kind}/${id}`, { token: sys })
    ).text;
  }
  const timeline = await call(
    'GET',
    `${w.urls['routing-assignment']}/threads/${thread.threadId}/timeline`,
    {
      token: await member('groupAdmin'),
    },
  );
  const t = timeline.json as { version: number; entries: { kind: string }[] };
  const rebuild = await call('GET', `${w.urls['inbox-projection']}/admin/rebuild`, {
    token: await operator(),
  });
  return {
    groups: groups.text,
    phr: phr.text,
    directory,
    timeline: {
      version: t.version,
      replied: t.entries.filter((e) => e.kind === 'replied').length,
      noted: t.entries.filter((e) => e.kind === 'note-added').length,
    },
    rebuild: rebuild.text,
  };
}

// --- the suite -----------------------------------------------------------------

describe('hostile input', () => {
  const started = Date.now();
  let kafka: Kafka;
  let observers: Record<
    'groups' | 'workflows' | 'phr' | 'messages' | 'threads' | 'notes',
    EventsOnTopic
  >;
  let before: Snapshot;
  const eventsBefore: Record<string, number> = {};

  beforeAll(async () => {
    const fixture = mainPracticeFixture(H_ID, 'Hostile');
    // A patient per kind of send, so that the rate limit (20 an hour) never decides a case.
    fixture.patients.followUp = {
      id: 'pat_follow_up',
      displayName: 'Fay Hostile',
      facilityId: 'fac_main',
      categoryIds: [],
      careTeamMemberIds: [],
    };
    H = await seedPractice({ urls: w.urls, secret: w.run.secret }, fixture);
    const target = await call('POST', `${w.urls['group-config']}/message-groups`, {
      token: await admin(),
      body: {
        name: `Delete target ${TAG}`,
        recipientMode: 'specific-members',
        members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
      },
    });
    deleteTarget = (target.json as { groupId: string }).groupId;
    const workflowGroup = await call('POST', `${w.urls['group-config']}/message-groups`, {
      token: await admin(),
      body: {
        name: `Workflow target ${TAG}`,
        recipientMode: 'specific-members',
        members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
      },
    });
    workflowTarget = (workflowGroup.json as { groupId: string }).groupId;
    thread = await patientSends(w, H.practiceId, H.patients.patient.id, {
      kind: 'group',
      groupId: H.groupIds.billing,
    });
    await routed(w, H.practiceId, 'mbr_gadmin', thread.threadId);
    followUpThread = await patientSends(w, H.practiceId, H.patients.followUp.id, {
      kind: 'group',
      groupId: H.groupIds.billing,
    });
    const assigned = await call(
      'POST',
      `${w.urls['routing-assignment']}/threads/${thread.threadId}/assignment`,
      {
        token: await member('groupAdmin'),
        body: { assigneeMemberId: H.members.assignee.id },
      },
    );
    expect(assigned.status).toBe(200);
    kafka = kafkaOf(w.run);
    const [groups, workflows, phr, messages, threads, notes] = await Promise.all([
      observe(kafka, TOPICS.messageGroups.name, H.practiceId),
      observe(kafka, TOPICS.groupWorkflows.name, H.practiceId),
      observe(kafka, TOPICS.phrPreferences.name, H.practiceId),
      observe(kafka, TOPICS.patientMessages.name, H.practiceId),
      observe(kafka, TOPICS.threads.name, H.practiceId),
      observe(kafka, TOPICS.threadNotes.name, H.practiceId),
    ]);
    observers = { groups, workflows, phr, messages, threads, notes };
    // Everything so far has arrived at the observers before the counts are taken.
    await waitFor(
      async () => observers.threads.events.filter((e) => e.subject === thread.threadId).length,
      (n) => n >= 2,
      { description: 'the observers to catch up' },
    );
    await sleep(1000);
    for (const [name, observer] of Object.entries(observers))
      eventsBefore[name] = observer.events.length;
    before = await snapshot();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(Object.values(observers ?? {}).map((o) => o.stop()));
    summarize(
      w,
      `hostile input: ${tally.cases} cases, ${tally.serverErrors} server errors ` +
        `(${tally.failed} failed, ${tally.accepted} accepted as valid; ${((Date.now() - started) / 1000).toFixed(1)} s)` +
        (consumerReport.length ? `; Kafka: ${consumerReport.join('; ')}` : ''),
    );
  });

  describe('HTTP: every write endpoint, path parameter and query string', () => {
    for (const endpoint of endpoints()) {
      it(`${endpoint.name}`, async () => {
        const token = await endpoint.token();
        const failures: string[] = [];
        for (const kase of casesOf(endpoint)) {
          const failure = await runCase(endpoint, kase, token);
          if (failure) failures.push(failure);
        }
        expect(failures).toEqual([]);
      }, 120_000);
    }
  });

  describe('nothing was stored or published beyond what was answered 2xx', () => {
    const acceptedBy = (service: ServiceName) =>
      accepted.filter((a) => a.endpoint.service === service);

    it('group-config: groups no accepted request touched are unchanged; accepted ones hold exactly what was sent', async () => {
      const after = await call('GET', `${w.urls['group-config']}/message-groups`, {
        token: await admin(),
      });
      const writes = acceptedBy('group-config').filter((a) => a.endpoint.method !== 'GET');
      const created = writes
        .filter((a) => a.answer.status === 201)
        .map((a) => (a.answer.json as { groupId: string }).groupId);
      // PUT and DELETE aim at Billing and the delete target unless the case changed the path.
      const touched = new Set([
        ...created,
        ...writes
          .filter((a) => a.answer.status !== 201)
          .map((a) => (a.kase.path ?? a.endpoint.path()).split('/')[2]),
      ]);
      const untouched = (list: { groupId: string }[]) =>
        list.filter((g) => !touched.has(g.groupId));
      expect(untouched(after.json as { groupId: string }[])).toEqual(
        untouched(JSON.parse(before.groups)),
      );
      const altered: string[] = [];
      for (const { kase, answer } of writes) {
        if (answer.status !== 201 || !kase.sent) continue;
        const group = (after.json as Record<string, unknown>[]).find(
          (g) => g.groupId === (answer.json as { groupId: string }).groupId,
        );
        const stored = group?.[String(kase.sent.field[0])];
        if (stored !== kase.sent.value) {
          altered.push(`${kase.label}: stored as ${JSON.stringify(stored).slice(0, 40)}`);
        }
      }
      expect(altered).toEqual([]);
      // One event per accepted write (an unchanged PUT may publish nothing).
      const events = observers.groups.events.length - eventsBefore.groups;
      expect(events).toBeGreaterThanOrEqual(created.length);
      expect(events).toBeLessThanOrEqual(writes.length);
    });

    it('group-config: a workflow changed only by the writes it accepted, one event per change, each as sent', async () => {
      const writes = accepted.filter(
        (a) => a.endpoint.name === 'PUT /message-groups/:groupId/workflow',
      );
      // Every accepted write aimed at the target (no path parameter probe was accepted).
      expect(writes.filter((a) => a.kase.path !== undefined).map((a) => a.kase.label)).toEqual([]);
      const after = await call(
        'GET',
        `${w.urls['group-config']}/message-groups/${workflowTarget}/workflow`,
        { token: await admin() },
      );
      expect(after.status).toBe(200);
      const { version, changedAt, ...stored } = after.json as {
        version: number;
        changedAt: string | null;
      } & Record<string, Json>;
      void changedAt;
      // Writes that changed nothing (the same settings again) published nothing.
      expect(version).toBeLessThanOrEqual(writes.length);
      expect(version).toBeGreaterThanOrEqual(writes.length ? 1 : 0);
      const published = await waitFor(
        async () => observers.workflows.events.filter((e) => e.subject === workflowTarget),
        (events) => events.length >= version,
        { description: `${version} GroupWorkflowChanged` },
      );
      await sleep(1000);
      const events = observers.workflows.events.filter((e) => e.subject === workflowTarget);
      expect(events.length).toBe(version);
      expect(published.map((e) => (e.data as { version: number }).version)).toEqual(
        Array.from({ length: version }, (_, i) => i + 1),
      );
      expect(observers.workflows.invalid).toEqual([]);
      // Every assignment sent was refused: the accepted writes left it out (off), as do the events.
      expect(
        events.filter(
          (e) =>
            JSON.stringify((e.data as { assignment: Json }).assignment) !==
            '{"mode":"off","capacity":null}',
        ),
      ).toEqual([]);
      // What is stored is the last accepted write, its text exactly as sent.
      const last = writes.at(-1);
      const expected = workflowBody() as Record<string, Json>;
      const text = last?.kase.sent?.value ?? WORKFLOW_TEXT;
      expect(stored).toEqual({
        ...expected,
        acknowledgement: { when: 'outside-business-hours', text },
        assignment: { mode: 'off', capacity: null },
      });
      const altered: string[] = [];
      for (const { kase } of writes) {
        if (!kase.sent) continue;
        const found = events.some(
          (e) =>
            (e.data as { acknowledgement: { text: string } | null }).acknowledgement?.text ===
            kase.sent!.value,
        );
        if (!found) altered.push(`${kase.label}: no GroupWorkflowChanged with the text as sent`);
      }
      expect(altered).toEqual([]);
    });

    it('group-config: quick replies changed only by the writes it accepted, each as sent', async () => {
      const writes = accepted.filter(
        (a) => a.endpoint.name === 'PUT /message-groups/:groupId/quick-replies',
      );
      // Every accepted write aimed at the target (no path parameter probe was accepted).
      expect(writes.filter((a) => a.kase.path !== undefined).map((a) => a.kase.label)).toEqual([]);
      const after = await call(
        'GET',
        `${w.urls['group-config']}/message-groups/${workflowTarget}/quick-replies`,
        { token: await admin() },
      );
      expect(after.status).toBe(200);
      type Listed = { groupId: string; version: number; quickReplies: Record<string, Json>[] };
      const { version, quickReplies } = after.json as Listed;
      // Writes that changed nothing (the same template again) stored nothing.
      expect(version).toBeLessThanOrEqual(writes.length);
      expect(version).toBeGreaterThanOrEqual(writes.length ? 1 : 0);
      // Every accepted write held one template (every other list was refused), answered as sent:
      // odd-but-valid text exactly as written, never an id but one the service gave.
      const altered: string[] = [];
      for (const { kase, answer } of writes) {
        const answered = (answer.json as Listed).quickReplies;
        const field = kase.sent?.field.at(-1) as 'title' | 'text' | undefined;
        const expected = { ...QUICK_REPLY, ...(field ? { [field]: kase.sent!.value } : {}) };
        if (
          answered.length !== 1 ||
          answered[0]!.title !== expected.title ||
          answered[0]!.text !== expected.text ||
          !/^qr_[0-9a-f-]{36}$/.test(String(answered[0]!.quickReplyId))
        )
          altered.push(`${kase.label}: answered ${JSON.stringify(answered).slice(0, 80)}`);
      }
      expect(altered).toEqual([]);
      // What is stored is what the last accepted write answered.
      const last = writes.at(-1);
      expect(quickReplies).toEqual(last ? (last.answer.json as Listed).quickReplies : []);
    });

    it('phr-preferences: unchanged but for the writes it accepted, one event each', async () => {
      const after = await call('GET', `${w.urls['phr-preferences']}/phr-preferences`, {
        token: await admin(),
      });
      const writes = acceptedBy('phr-preferences').filter((a) => a.endpoint.method === 'PUT');
      const { version: v1, ...was } = JSON.parse(before.phr) as { version: number };
      const { version: v2, ...is } = after.json as { version: number };
      // Accepted writes carried the same preferences (only hostile extras), so the content stays.
      expect(is).toEqual(was);
      expect(v2 - v1).toBeLessThanOrEqual(writes.length);
      expect(observers.phr.events.length - eventsBefore.phr).toBe(v2 - v1);
    });

    it('practice-directory: the seeded entries are unchanged; refused ids were not stored', async () => {
      const after = await snapshot();
      // An accepted import or PUT of the practice rewrote the practice entry.
      const touched = accepted.some((a) =>
        ['POST /directory/import', 'PUT /directory/practice'].includes(a.endpoint.name),
      );
      const without = (entries: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(entries).filter(([key]) => !(touched && key.startsWith('practice/'))),
        );
      expect(without(after.directory)).toEqual(without(before.directory));
      const sys = await system();
      const stored: string[] = [];
      for (const endpoint of endpoints().filter((e) => e.paramIsNewId)) {
        const kind = endpoint.path('X').split('/')[2];
        const singular = {
          facilities: 'facility',
          'patient-categories': 'patient-category',
          roles: 'role',
          members: 'member',
          patients: 'patient',
        }[kind] as string;
        for (const [label, value] of PATH_VALUES) {
          const wasAccepted = accepted.some(
            (a) => a.endpoint.name === endpoint.name && a.kase.label === `path parameter: ${label}`,
          );
          const read = await call(
            'GET',
            `${w.urls['practice-directory']}/directory/${singular}/${value}`,
            { token: sys },
          );
          if (read.status < 300 && !wasAccepted) stored.push(`${singular} ${value}`);
        }
      }
      expect(stored).toEqual([]);
    });

    it('messaging-intake: MessageSent only for the sends it accepted, with the exact text', async () => {
      const sends = acceptedBy('messaging-intake').filter((a) => a.endpoint.method === 'POST');
      const published = () => observers.messages.events.length - eventsBefore.messages;
      await waitFor(
        async () => published(),
        (n) => n >= sends.length,
        {
          description: 'the accepted messages on Kafka',
        },
      ).catch(() => undefined);
      await sleep(1500);
      const altered: string[] = [];
      for (const { kase, answer } of sends) {
        const messageId = (answer.json as { messageId: string }).messageId;
        const data = observers.messages.events.find(
          (e) => (e.data as MessageSentV1).messageId === messageId,
        )?.data as MessageSentV1 | undefined;
        const field = kase.sent?.field.at(-1) as 'subject' | 'body' | undefined;
        if (!data) altered.push(`${kase.label}: no MessageSent for ${messageId}`);
        else if (field && data[field] !== kase.sent?.value)
          altered.push(`${kase.label}: ${field} altered`);
      }
      expect({ altered, invalidEvents: observers.messages.invalid }).toEqual({
        altered: [],
        invalidEvents: [],
      });
      expect(published()).toBe(sends.length);
    });

    it('routing-assignment: the thread changed only by the replies and notes it accepted', async () => {
      const replies = accepted.filter((a) => a.endpoint.name.endsWith('/replies')).length;
      const notes = accepted.filter((a) => a.endpoint.name.endsWith('/notes'));
      const others = accepted.filter(
        (a) =>
          a.endpoint.service === 'routing-assignment' &&
          !a.endpoint.name.endsWith('/replies') &&
          !a.endpoint.name.endsWith('/notes') &&
          a.endpoint.method !== 'GET',
      );
      // Assigning the current assignee again is a 200 that changes nothing.
      expect(
        others.filter((a) => !a.endpoint.name.endsWith('/assignment')).map((a) => a.kase.label),
      ).toEqual([]);
      const after = await snapshot();
      // A note steps no version: it is staff-only, on gm.thread-notes.
      expect(after.timeline).toEqual({
        version: before.timeline.version + replies,
        replied: before.timeline.replied + replies,
        noted: before.timeline.noted + notes.length,
      });
      // What it accepted left in ReplySent exactly as written.
      const altered: string[] = [];
      for (const { kase, answer } of accepted.filter((a) => a.endpoint.name.endsWith('/replies'))) {
        const replyId = (answer.json as { replyId: string }).replyId;
        const find = () =>
          observers.threads.events.find(
            (e) => (e.data as { replyId?: string }).replyId === replyId,
          );
        const event = await waitFor(async () => find(), Boolean, {
          description: `ReplySent ${replyId}`,
        }).catch(() => undefined);
        if (!event) altered.push(`${kase.label}: no ReplySent`);
        else if (kase.sent && (event.data as { body?: string }).body !== kase.sent.value)
          altered.push(`${kase.label}: body altered`);
      }
      // And in NoteAdded, on its own topic.
      for (const { kase, answer } of notes) {
        const noteId = (answer.json as { noteId: string }).noteId;
        const event = await waitFor(
          async () => observers.notes.events.find((e) => (e.data as NoteAddedV1).noteId === noteId),
          Boolean,
          { description: `NoteAdded ${noteId}` },
        ).catch(() => undefined);
        if (!event) altered.push(`${kase.label}: no NoteAdded`);
        else if (kase.sent && (event.data as NoteAddedV1).body !== kase.sent.value)
          altered.push(`${kase.label}: note body altered`);
      }
      expect({ altered, invalidNotes: observers.notes.invalid }).toEqual({
        altered: [],
        invalidNotes: [],
      });
    });
    it('inbox-projection: no rebuild started; the thread reads as routing has it, to its Admin, its assignee and its patient', async () => {
      const after = await snapshot();
      expect(after.rebuild).toBe(before.rebuild);
      const url = `${w.urls['inbox-projection']}`;
      const member = await answered(
        async () =>
          call('GET', `${url}/inbox/threads/${thread.threadId}`, {
            token: await w.tokens.member(H.practiceId, H.members.groupAdmin.id),
          }),
        (a) =>
          a.status === 200 && (a.json as { version: number }).version === after.timeline.version,
        'the read model at the thread version routing has',
      );
      const view = member.json as { replies: unknown[]; assigneeMemberId: string | null };
      expect({ replies: view.replies.length, assignee: view.assigneeMemberId }).toEqual({
        replies: after.timeline.replied,
        assignee: H.members.assignee.id,
      });
      const assignee = await call('GET', `${url}/inbox/threads/${thread.threadId}`, {
        token: await w.tokens.member(H.practiceId, H.members.assignee.id),
      });
      expect(assignee.status).toBe(200);
      const mine = await call('GET', `${url}/mailbox/threads/${thread.threadId}`, {
        token: await patientToken('patient'),
      });
      expect(mine.status).toBe(200);
      expect((mine.json as { replies: unknown[] }).replies).toHaveLength(after.timeline.replied);
      // The other Users of the group, and the follow-up patient, still cannot open it.
      for (const token of [
        await w.tokens.member(H.practiceId, H.members.groupUser.id),
        await w.tokens.member(H.practiceId, H.members.nonMember.id),
      ]) {
        const refused = await call('GET', `${url}/inbox/threads/${thread.threadId}`, { token });
        expect(refused.status).toBe(404);
      }
      const other = await call('GET', `${url}/mailbox/threads/${thread.threadId}`, {
        token: await patientToken('followUp'),
      });
      expect(other.status).toBe(404);
    });
  });

  describe('Kafka: malformed records on the real topics', () => {
    let producer: Producer;
    /** The ids of the records of a newer version of a known type: skipped, never dead-lettered. */
    const newerVersion: string[] = [];
    const records: { topic: string; record: RawRecord; consumers: ServiceName[]; match: string }[] =
      [];

    beforeAll(async () => {
      producer = kafka.producer();
      await producer.connect();
    });
    afterAll(() => producer?.disconnect());

    it('are produced: bad JSON, unknown type, .v9, no headers, another practice, a foreign key, a schema violation', async () => {
      newerVersion.length = 0;
      // The read model consumes every topic.
      const groupConsumers: ServiceName[] = [
        'messaging-intake',
        'routing-assignment',
        'inbox-projection',
      ];
      const directoryConsumers: ServiceName[] = [
        'group-config',
        'phr-preferences',
        'messaging-intake',
        'routing-assignment',
        'inbox-projection',
      ];
      const messageConsumers: ServiceName[] = ['routing-assignment', 'inbox-projection'];
      const headers = (type: string, subject: string, practiceId = H.practiceId) => ({
        ce_id: `hostile-${randomUUID()}`,
        ce_type: type,
        ce_source: '/system-tests/hostile',
        ce_time: new Date().toISOString(),
        ce_specversion: '1.0',
        ce_subject: subject,
        ce_dataschema: `urn:group-messages:schema:${type}`,
        ce_practiceid: practiceId,
        ce_correlationid: randomUUID(),
        'content-type': 'application/json',
      });
      const groupData = (groupId: string, practiceId: string) => ({
        practiceId,
        groupId,
        name: `Poison ${TAG}`,
        description: '',
        facilityId: null,
        patientCategoryId: null,
        recipientMode: 'specific-members',
        members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
        version: 1,
        changedAt: new Date().toISOString(),
      });
      const add = (topic: string, consumers: ServiceName[], record: RawRecord) => {
        const match = (record.headers?.ce_id as string | undefined) ?? (record.key as string);
        records.push({ topic, record, consumers, match });
      };
      const grp = `grp_poison_${TAG}`;
      add(TOPICS.messageGroups.name, groupConsumers, {
        key: `${grp}_1`,
        value: '{"practiceId": "not json',
        headers: headers('gm.message-group.created.v1', `${grp}_1`),
      });
      add(TOPICS.messageGroups.name, groupConsumers, {
        key: `${grp}_2`,
        value: JSON.stringify(groupData(`${grp}_2`, H.practiceId)),
        headers: headers('gm.message-group.exploded.v1', `${grp}_2`),
      });
      // A newer version of a known type is skipped, never dead-lettered (docs/event-compatibility.md).
      const newer = headers('gm.message-group.created.v9', `${grp}_3`);
      newerVersion.push(newer.ce_id);
      await produce(producer, TOPICS.messageGroups.name, [
        {
          key: `${grp}_3`,
          value: JSON.stringify(groupData(`${grp}_3`, H.practiceId)),
          headers: newer,
        },
      ]);
      add(TOPICS.messageGroups.name, groupConsumers, {
        key: `no-headers-${TAG}`,
        value: JSON.stringify(groupData(`no-headers-${TAG}`, H.practiceId)),
      });
      // Valid data of the other practice, filed under this one.
      add(TOPICS.messageGroups.name, groupConsumers, {
        key: `${grp}_4`,
        value: JSON.stringify(groupData(`${grp}_4`, O.practiceId)),
        headers: headers('gm.message-group.created.v1', `${grp}_4`),
      });
      // A key (and subject) that is not the aggregate's id.
      add(TOPICS.messageGroups.name, groupConsumers, {
        key: `${grp}_5_key`,
        value: JSON.stringify(groupData(`${grp}_5`, H.practiceId)),
        headers: headers('gm.message-group.created.v1', `${grp}_5_key`),
      });
      add(TOPICS.directoryMembers.name, directoryConsumers, {
        key: `mbr_poison_${TAG}`,
        value: JSON.stringify({
          practiceId: H.practiceId,
          memberId: `mbr_poison_${TAG}`,
          displayName: { $gt: '' },
          roleId: null,
          active: 'yes',
          version: 1,
          changedAt: 'now',
        }),
        headers: headers('gm.directory.member-changed.v1', `mbr_poison_${TAG}`),
      });
      add(TOPICS.directoryMembers.name, directoryConsumers, {
        key: `mbr_poison2_${TAG}`,
        value: JSON.stringify({ practiceId: H.practiceId }),
        headers: {
          ...headers('gm.directory.member-changed.v1', `mbr_poison2_${TAG}`),
          ce_specversion: '0.3',
        },
      });
      // A MessageSent breaking its schema, with PHI in it (the dead-letter reason must not quote it).
      const thr = `thr_poison_${TAG}`;
      add(TOPICS.patientMessages.name, messageConsumers, {
        key: thr,
        value: JSON.stringify({
          practiceId: H.practiceId,
          threadId: thr,
          messageId: `msg_poison_${TAG}`,
          patientId: H.patients.patient.id,
          recipientKind: 'group',
          groupId: H.groupIds.billing,
          memberId: null,
          subject: phiText('poison-subject').repeat(20),
          body: phiText('poison-body'),
          followUp: 'no',
          threadVersion: 0,
          sentAt: 'yesterday',
        }),
        headers: headers('gm.message.sent.v1', thr),
      });
      // A NoteAdded breaking its schema, with PHI in it: only the read model consumes notes.
      add(TOPICS.threadNotes.name, ['inbox-projection'], {
        key: thr,
        value: JSON.stringify({
          noteId: { $gt: '' },
          practiceId: H.practiceId,
          threadId: thr,
          authorMemberId: H.members.groupAdmin.id,
          body: phiText('poison-note'),
          addedAt: 'yesterday',
        }),
        headers: headers('gm.thread.note-added.v1', thr),
      });
      for (const { topic, record } of records) await produce(producer, topic, [record]);
      tally.cases += records.length;
    });

    it('land in the dead-letter topic of every consuming service, with a reason', async () => {
      const expected = records.flatMap(({ consumers, match }) =>
        consumers.map((service) => `${w.run.services[service].consumerGroup} ${match}`),
      );
      const topics = [...new Set(records.flatMap((r) => r.consumers))].map(
        (s) => `gm.dead-letter.${w.run.services[s].consumerGroup}`,
      );
      const seen = (letters: Awaited<ReturnType<typeof readDeadLetters>>) =>
        new Set(
          letters.map(
            (l) => `${l.headers['x-dead-letter-consumer-group']} ${l.headers.ce_id ?? l.key}`,
          ),
        );
      const letters = await readDeadLetters(kafka, topics, (l) =>
        expected.every((e) => seen(l).has(e)),
      );
      expect(expected.filter((e) => !seen(letters).has(e))).toEqual([]);
      const ours = letters.filter((l) =>
        expected.includes(
          `${l.headers['x-dead-letter-consumer-group']} ${l.headers.ce_id ?? l.key}`,
        ),
      );
      expect(ours.filter((l) => !l.headers['x-dead-letter-reason'])).toEqual([]);
      expect(ours.filter((l) => l.headers['x-dead-letter-reason'].includes('PHIMARK'))).toEqual([]);
      // Produced before the last of them, the newer version was skipped by every consumer.
      expect(letters.filter((l) => newerVersion.includes(l.headers.ce_id ?? ''))).toEqual([]);
      consumerReport.push(
        `${records.length} malformed records, ${ours.length} dead letters in ${topics.length} consumer groups`,
      );
    }, 60_000);

    it('and the services keep working: a new group reaches the To list, a message to it is routed, a new admin gets in', async () => {
      const created = await call('POST', `${w.urls['group-config']}/message-groups`, {
        token: await admin(),
        body: {
          name: `After the poison ${TAG}`,
          recipientMode: 'specific-members',
          members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
        },
      });
      expect(created.status).toBe(201);
      const groupId = (created.json as { groupId: string }).groupId;
      await answered(
        async () =>
          call('GET', `${w.urls['messaging-intake']}/recipients`, {
            token: await patientToken('patient'),
          }),
        (a) => a.status === 200 && toListIds(a).groups.includes(groupId),
        'the new group in the To list',
      );
      const sent = await patientSends(w, H.practiceId, H.patients.patient.id, {
        kind: 'group',
        groupId,
      });
      await routed(w, H.practiceId, 'mbr_gadmin', sent.threadId);
      // The directory consumers (group-config, phr-preferences) went on too.
      const put = await call(
        'PUT',
        `${w.urls['practice-directory']}/directory/members/mbr_new_admin`,
        {
          token: await system(),
          body: { displayName: 'Nora Hostile', roleId: 'role_practice_admin' },
        },
      );
      expect(put.status).toBe(200);
      const nora = await w.tokens.member(H.practiceId, 'mbr_new_admin');
      await answered(
        () => call('GET', `${w.urls['group-config']}/message-groups`, { token: nora }),
        (a) => a.status === 200,
        'group-config to learn the new admin',
      );
      await answered(
        () => call('GET', `${w.urls['phr-preferences']}/phr-preferences`, { token: nora }),
        (a) => a.status === 200,
        'phr-preferences to learn the new admin',
      );
    }, 60_000);
  });
});
