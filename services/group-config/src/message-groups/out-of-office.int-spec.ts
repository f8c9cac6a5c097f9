/**
 * A member's out-of-office periods (GET/PUT /members/:memberId/out-of-office)
 * against the real servers: the directory replica fed over Kafka, groups
 * created through the API, and MemberOutOfOfficeChanged read back from Kafka
 * and checked against its contract. Every refusal is checked to have stored
 * and published nothing.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  MemberOutOfOfficeChangedV1,
  PRIVILEGES,
  schemaViolations,
  TOPICS,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { EventsOnTopic, ServiceTestBed, TEST_JWT_SECRET, uniqueName, waitFor } from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';

const practice = uniqueName('prc_ooo');
const otherPractice = uniqueName('prc_ooo_other');

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'group-config-out-of-office-it',
);
let app: INestApplication;
let oooEvents: EventsOnTopic;

const http = () => request(app.getHttpServer());

async function as(sub: string, practiceId = practice, actor: ActorKind = 'member') {
  return `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor })}`;
}

/** mbr_settings (both practices) holds Practice Access and belongs to no group. */
beforeAll(async () => {
  await bed.connect();
  for (const [practiceId, admin] of [
    [practice, 'mbr_settings'],
    [otherPractice, 'mbr_other_settings'],
  ] as const) {
    const feed = bed.directory(practiceId);
    await feed.practice({ name: 'Riverside', plan: 'paid' });
    await feed.role({
      roleId: 'role_manager',
      name: 'Office Manager',
      privileges: [PRIVILEGES.messageGroupsSettings],
    });
    await feed.role({ roleId: 'role_staff', name: 'Staff', privileges: [] });
    await feed.member({
      memberId: admin,
      displayName: 'Settings Admin',
      roleId: 'role_manager',
      active: true,
    });
  }
  app = await bed.start();
  oooEvents = await bed.observe(TOPICS.outOfOffice.name, practice);
  const replica = app.get(DirectoryReplica);
  await bed.untilReplicated(
    () => [
      replica.practice(practice),
      replica.role(practice, 'role_manager'),
      replica.role(otherPractice, 'role_manager'),
      replica.member(practice, 'mbr_settings'),
      replica.member(otherPractice, 'mbr_other_settings'),
    ],
    { timeoutMs: 30000, description: 'the directory replica to catch up' },
  );
});

afterAll(() => bed.stop());

/** Feeds staff members (no privilege) into the directory and waits for the replica. */
async function staff(ids: string[], practiceId = practice, active = true): Promise<void> {
  const feed = bed.directory(practiceId);
  for (const memberId of ids) {
    await feed.member({
      memberId,
      displayName: `Staff ${memberId}`,
      roleId: 'role_staff',
      active,
    });
  }
  await waitFor(
    () => app.get(DirectoryReplica).members(practiceId, ids),
    (found) => found.length === ids.length && found.every((m) => m.active === active),
    { description: `${ids.join(', ')} in the replica` },
  );
}

async function createGroup(
  members: { memberId: string; privilege: 'admin' | 'user' }[],
  practiceId = practice,
): Promise<string> {
  const settings = practiceId === practice ? 'mbr_settings' : 'mbr_other_settings';
  const created = await http()
    .post('/message-groups')
    .set('authorization', await as(settings, practiceId))
    .send({ name: uniqueName('Front Office'), recipientMode: 'specific-members', members })
    .expect(201);
  return created.body.groupId;
}

/**
 * A team of fresh members: `admin` is the Admin of Front Desk, `member`,
 * `cover` and `peer` its Users; `farAdmin` is the Admin of another group,
 * `far` a User there, neither in Front Desk; `outsider` is in no group.
 */
async function team() {
  const id = (role: string) => uniqueName(`mbr_${role}`);
  const t = {
    member: id('member'),
    admin: id('admin'),
    cover: id('cover'),
    peer: id('peer'),
    farAdmin: id('far_admin'),
    far: id('far'),
    outsider: id('outsider'),
  };
  await staff(Object.values(t));
  await createGroup([
    { memberId: t.admin, privilege: 'admin' },
    { memberId: t.member, privilege: 'user' },
    { memberId: t.cover, privilege: 'user' },
    { memberId: t.peer, privilege: 'user' },
  ]);
  await createGroup([
    { memberId: t.farAdmin, privilege: 'admin' },
    { memberId: t.far, privilege: 'user' },
  ]);
  return t;
}

const oooOf = (memberId: string) => `/members/${memberId}/out-of-office`;

const DAY = 24 * 60 * 60 * 1000;
/** A future instant `days` from now, whole seconds, in UTC ISO form with milliseconds. */
const BASE = Math.ceil(Date.now() / 1000) * 1000 + 7 * DAY;
const day = (days: number) => new Date(BASE + days * DAY).toISOString();
const period = (from: number, to: number, coverMemberId: string | null = null) => ({
  startsAt: day(from),
  endsAt: day(to),
  coverMemberId,
});

/** What the contract's JSON Schema finds wrong with an event's data (nothing, it should). */
const violations = (data: unknown) =>
  schemaViolations(MemberOutOfOfficeChangedV1 as unknown as EventDefinition<unknown>, data);

const eventsOf = (memberId: string) => oooEvents.ofType(MemberOutOfOfficeChangedV1.type, memberId);

/** Waits until the member has `count` out-of-office events on Kafka and answers them. */
async function untilEvents(memberId: string, count: number): Promise<EventEnvelope[]> {
  return waitFor(
    async () => eventsOf(memberId),
    (events) => events.length >= count,
    { description: `${count} MemberOutOfOfficeChanged of ${memberId}` },
  );
}

/**
 * Nothing was published since `before` events: a change made now is the very
 * next event of the member (one document's outbox is published in order).
 */
async function publishedNothingSince(memberId: string, before: number) {
  const sentinel = await http()
    .put(oooOf(memberId))
    .set('authorization', await as(memberId))
    .send({ periods: [period(300, 301 + before / 10)] })
    .expect(200);
  const events = await untilEvents(memberId, before + 1);
  expect(events).toHaveLength(before + 1);
  expect((events.at(-1)!.data as MemberOutOfOfficeChangedV1).version).toBe(sentinel.body.version);
  return sentinel.body.version as number;
}

const PERIOD_ID = expect.stringMatching(/^ooo_[0-9a-f-]{36}$/);

describe('a member who never set out-of-office periods', () => {
  it('has none at version 0, with ETag "0"', async () => {
    const t = await team();
    const read = await http()
      .get(oooOf(t.member))
      .set('authorization', await as(t.member))
      .expect(200);
    expect(read.body).toEqual({ memberId: t.member, periods: [], version: 0 });
    expect(read.headers.etag).toBe('"0"');
  });
});

describe('replacing the periods', () => {
  it('stores them ordered by start in UTC, answers the view with its ETag, and publishes exactly one schema-valid MemberOutOfOfficeChanged', async () => {
    const t = await team();
    const authorization = await as(t.member);
    const later = period(20, 30, t.cover);
    const put = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', '"0"')
      .send({
        periods: [
          // Another offset and no milliseconds: the same instants, stored in UTC.
          {
            startsAt: new Date(Date.parse(later.startsAt) + 3600_000)
              .toISOString()
              .replace('.000Z', '+01:00'),
            endsAt: later.endsAt.replace('.000Z', 'Z'),
            coverMemberId: t.cover,
          },
          period(1, 3),
        ],
      })
      .expect(200);
    expect(put.body).toEqual({
      memberId: t.member,
      periods: [
        { periodId: PERIOD_ID, ...period(1, 3) },
        { periodId: PERIOD_ID, ...later },
      ],
      version: 1,
    });
    expect(put.body.periods[0].periodId).not.toBe(put.body.periods[1].periodId);
    expect(put.headers.etag).toBe('"1"');
    expect(put.headers['consistency-token']).toEqual(expect.any(String));

    const read = await http().get(oooOf(t.member)).set('authorization', authorization).expect(200);
    expect(read.body).toEqual(put.body);
    expect(read.headers.etag).toBe('"1"');

    const [event] = await untilEvents(t.member, 1);
    expect(violations(event!.data)).toEqual([]);
    expect(event!.data).toEqual({
      practiceId: practice,
      memberId: t.member,
      periods: put.body.periods,
      version: 1,
      changedAt: expect.any(String),
    });
    expect(event!.subject).toBe(t.member);
    expect(event!.practiceId).toBe(practice);
    expect(oooEvents.invalid).toEqual([]);
    await publishedNothingSince(t.member, 1);
  });

  it('that changes nothing stores and publishes nothing; unchanged periods keep their ids, changed ones get new ones', async () => {
    const t = await team();
    const authorization = await as(t.member);
    // No periods, sent for a member who never set any: version 0 stays.
    const none = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', '"0"')
      .send({ periods: [] })
      .expect(200);
    expect(none.body).toEqual({ memberId: t.member, periods: [], version: 0 });
    expect(none.headers.etag).toBe('"0"');

    const first = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .send({ periods: [period(1, 2), period(5, 9, t.cover)] })
      .expect(200);
    const [a, b] = first.body.periods as { periodId: string }[];
    // The same list, in another order and spelled with another offset: nothing changes.
    const again = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send({
        periods: [
          period(5, 9, t.cover),
          {
            ...period(1, 2),
            startsAt: new Date(Date.parse(day(1)) - 5 * 3600_000)
              .toISOString()
              .replace('.000Z', '-05:00'),
          },
        ],
      })
      .expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe('"1"');
    await untilEvents(t.member, 1);
    expect(eventsOf(t.member)).toHaveLength(1);

    // The second period's cover changes: it is another period; the first keeps its id.
    const changed = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send({ periods: [period(1, 2), period(5, 9, null), period(10, 11)] })
      .expect(200);
    expect(changed.body.version).toBe(2);
    const ids = (changed.body.periods as { periodId: string }[]).map((p) => p.periodId);
    expect(ids[0]).toBe(a!.periodId);
    expect(ids[1]).not.toBe(b!.periodId);
    expect(new Set([...ids, b!.periodId]).size).toBe(4);
    const events = await untilEvents(t.member, 2);
    expect((events[1]!.data as MemberOutOfOfficeChangedV1).periods).toEqual(changed.body.periods);
    // Clearing them is a change too.
    const cleared = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', '"2"')
      .send({ periods: [] })
      .expect(200);
    expect(cleared.body).toEqual({ memberId: t.member, periods: [], version: 3 });
    const all = await untilEvents(t.member, 3);
    expect(all[2]!.data).toMatchObject({ periods: [], version: 3 });
    expect(all.map((e) => violations(e.data))).toEqual([[], [], []]);
    await publishedNothingSince(t.member, 3);
  });

  it('drops a period from answers once it ended; sending what is answered then changes nothing', async () => {
    const t = await team();
    const authorization = await as(t.member);
    const soon = new Date(Date.now() + 2500).toISOString();
    const put = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .send({
        periods: [
          { startsAt: new Date(Date.now() - DAY).toISOString(), endsAt: soon, coverMemberId: null },
          period(1, 2),
        ],
      })
      .expect(200);
    expect(put.body.periods).toHaveLength(2);
    const read = await waitFor(
      async () => (await http().get(oooOf(t.member)).set('authorization', authorization)).body,
      (body: { periods: unknown[] }) => body.periods.length === 1,
      { description: 'the first period to end', timeoutMs: 10_000 },
    );
    expect(read).toEqual({ memberId: t.member, periods: [put.body.periods[1]], version: 1 });
    const same = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send({ periods: [period(1, 2)] })
      .expect(200);
    expect(same.body).toEqual(read);
    // The ended period is refused if sent again.
    const ended = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .send({ periods: [{ ...period(1, 2), startsAt: day(-30), endsAt: soon }] })
      .expect(422);
    expect(ended.body.code).toBe('period-already-ended');
    await untilEvents(t.member, 1);
    await publishedNothingSince(t.member, 1);
  });

  it('with a stale If-Match is 409 out-of-office-changed-meanwhile and changes nothing; a malformed one is 400', async () => {
    const t = await team();
    const authorization = await as(t.member);
    await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .send({ periods: [period(1, 2)] })
      .expect(200);
    for (const stale of ['"0"', '"2"', 'W/"7"']) {
      const refused = await http()
        .put(oooOf(t.member))
        .set('authorization', authorization)
        .set('if-match', stale)
        .send({ periods: [period(3, 4)] })
        .expect(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.code).toBe('out-of-office-changed-meanwhile');
    }
    const malformed = await http()
      .put(oooOf(t.member))
      .set('authorization', authorization)
      .set('if-match', 'not-a-version')
      .send({ periods: [period(3, 4)] })
      .expect(400);
    expect(malformed.body.code).toBe('invalid-if-match');
    const read = await http().get(oooOf(t.member)).set('authorization', authorization).expect(200);
    expect(read.body).toEqual({
      memberId: t.member,
      periods: [{ periodId: PERIOD_ID, ...period(1, 2) }],
      version: 1,
    });
    await untilEvents(t.member, 1);
    await publishedNothingSince(t.member, 1);
  });

  it('lets exactly one of concurrent changes from the same version win', async () => {
    const t = await team();
    const authorization = await as(t.member);
    // The first write (an insert) and a later one (a compare-and-set).
    for (const version of [0, 1]) {
      const attempts = await Promise.all(
        [1, 2, 3, 4].map(async (n) =>
          http()
            .put(oooOf(t.member))
            .set('authorization', authorization)
            .set('if-match', `"${version}"`)
            .send({ periods: [period(n, n + 0.5 + version)] }),
        ),
      );
      expect(attempts.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    }
    const events = await untilEvents(t.member, 2);
    expect(events.map((e) => (e.data as MemberOutOfOfficeChangedV1).version)).toEqual([1, 2]);
    await publishedNothingSince(t.member, 2);
  });
});

describe('who sees and sets a member’s periods', () => {
  let t: Awaited<ReturnType<typeof team>>;
  beforeAll(async () => {
    t = await team();
  });

  const status = async (
    method: 'get' | 'put',
    authorization: string,
    memberId = t.member,
    body: object = { periods: [period(1, 2, t.cover)] },
  ) => {
    const call = http()[method](oooOf(memberId)).set('authorization', authorization);
    const response = method === 'put' ? await call.send(body) : await call;
    if (response.status >= 400) {
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    return `${response.status} ${response.body.code ?? ''}`.trim();
  };

  it('the member, an Admin of their group and a Practice Access holder; anyone else is 403', async () => {
    for (const method of ['get', 'put'] as const) {
      expect(await status(method, await as(t.member))).toBe('200');
      expect(await status(method, await as(t.admin))).toBe('200');
      expect(await status(method, await as('mbr_settings'))).toBe('200');
      for (const other of [t.peer, t.cover, t.farAdmin, t.far, t.outsider]) {
        expect(`${other}: ${await status(method, await as(other))}`).toBe(
          `${other}: 403 out-of-office-access-required`,
        );
      }
    }
    // The three allowed PUTs sent the same periods: one change; the refusals stored nothing.
    const read = await http()
      .get(oooOf(t.member))
      .set('authorization', await as(t.member))
      .expect(200);
    expect(read.body).toMatchObject({ version: 1, periods: [period(1, 2, t.cover)] });
    await untilEvents(t.member, 1);
    await publishedNothingSince(t.member, 1);
    // The Admin's own periods are theirs (and Practice Access holders'), not their Users'.
    expect(await status('put', await as(t.admin), t.admin, { periods: [] })).toBe('200');
    expect(await status('put', await as(t.member), t.admin, { periods: [] })).toBe(
      '403 out-of-office-access-required',
    );
    expect(await status('get', await as('mbr_settings'), t.admin)).toBe('200');
  });

  it('a deactivated member or Admin, a patient and a system client are refused', async () => {
    const leaving = await team();
    expect(await status('get', await as(leaving.member), leaving.member)).toBe('200');
    await staff([leaving.member, leaving.admin], practice, false);
    for (const method of ['get', 'put'] as const) {
      expect(await status(method, await as(leaving.member), leaving.member)).toBe(
        '403 out-of-office-access-required',
      );
      expect(await status(method, await as(leaving.admin), leaving.member)).toBe(
        '403 out-of-office-access-required',
      );
    }
    // A Practice Access holder may still clear a deactivated member's periods.
    expect(await status('put', await as('mbr_settings'), leaving.member, { periods: [] })).toBe(
      '200',
    );
    expect(eventsOf(leaving.member)).toEqual([]);

    expect(await status('get', await as(t.member, practice, 'patient'))).toBe(
      '403 actor-not-allowed',
    );
    expect(await status('put', await as('sys_ehr', practice, 'system'))).toBe(
      '403 actor-not-allowed',
    );
    expect((await http().get(oooOf(t.member))).status).toBe(401);
    expect((await http().put(oooOf(t.member)).send({ periods: [] })).status).toBe(401);
  });

  it('an unknown member and a member of another practice are 404 member-not-found, even to Practice Access holders', async () => {
    const unknown = uniqueName('mbr_nobody');
    for (const method of ['get', 'put'] as const) {
      expect(await status(method, await as('mbr_settings'), unknown, { periods: [] })).toBe(
        '404 member-not-found',
      );
      expect(await status(method, await as(t.outsider), unknown, { periods: [] })).toBe(
        '404 member-not-found',
      );
      // Our member, asked about by the other practice's Practice Access holder.
      expect(
        await status(method, await as('mbr_other_settings', otherPractice), t.member, {
          periods: [],
        }),
      ).toBe('404 member-not-found');
    }
    const foreign = await http()
      .get(oooOf(t.member))
      .set('authorization', await as('mbr_other_settings', otherPractice))
      .expect(404);
    const missing = await http()
      .get(oooOf(unknown))
      .set('authorization', await as('mbr_other_settings', otherPractice))
      .expect(404);
    expect(foreign.body).toEqual({
      ...missing.body,
      detail: expect.any(String),
      instance: expect.any(String),
    });
  });
});

describe('a replacement that breaks a rule', () => {
  let t: Awaited<ReturnType<typeof team>>;
  let gone: string;
  let foreign: string;
  beforeAll(async () => {
    t = await team();
    gone = uniqueName('mbr_gone');
    foreign = uniqueName('mbr_foreign');
    await staff([gone]);
    await staff([foreign], otherPractice);
    await createGroup([
      { memberId: t.admin, privilege: 'admin' },
      { memberId: t.member, privilege: 'user' },
      { memberId: gone, privilege: 'user' },
    ]);
    // In the other practice, in a group with a member of the same id as ours.
    await staff([t.member], otherPractice);
    await createGroup(
      [
        { memberId: foreign, privilege: 'admin' },
        { memberId: t.member, privilege: 'user' },
      ],
      otherPractice,
    );
    await staff([gone], practice, false);
    await http()
      .put(oooOf(t.member))
      .set('authorization', await as(t.member))
      .send({ periods: [period(1, 2)] })
      .expect(200);
    await untilEvents(t.member, 1);
  });

  /** Each case's body, made once the members exist. */
  type Context = { t: Awaited<ReturnType<typeof team>>; gone: string; foreign: string };
  const refusals: [string, (c: Context) => object, number, string][] = [
    [
      '51 periods',
      () => ({ periods: Array.from({ length: 51 }, (_, i) => period(i, i + 0.5)) }),
      422,
      'too-many-periods',
    ],
    [
      'a start without an offset',
      () => ({ periods: [{ ...period(1, 2), startsAt: day(1).replace('.000Z', '') }] }),
      422,
      'invalid-date-time',
    ],
    [
      'a date only',
      () => ({ periods: [{ ...period(1, 2), endsAt: '2099-01-01' }] }),
      422,
      'invalid-date-time',
    ],
    [
      'a date that does not exist',
      () => ({ periods: [{ ...period(1, 2), endsAt: '2099-02-30T10:00:00Z' }] }),
      422,
      'invalid-date-time',
    ],
    [
      'words',
      () => ({ periods: [{ ...period(1, 2), startsAt: 'next monday' }] }),
      422,
      'invalid-date-time',
    ],
    ['an end at its start', () => ({ periods: [period(2, 2)] }), 422, 'period-ends-before-start'],
    [
      'an end before its start',
      () => ({ periods: [period(3, 2)] }),
      422,
      'period-ends-before-start',
    ],
    ['a period over already', () => ({ periods: [period(-20, -10)] }), 422, 'period-already-ended'],
    ['a period of 367 days', () => ({ periods: [period(1, 368)] }), 422, 'period-too-long'],
    [
      'overlapping periods',
      () => ({ periods: [period(5, 8), period(1, 6)] }),
      422,
      'periods-overlap',
    ],
    [
      'the same period twice',
      () => ({ periods: [period(1, 2), period(1, 2)] }),
      422,
      'periods-overlap',
    ],
    [
      'the member as their own cover',
      (c) => ({ periods: [period(1, 2, c.t.member)] }),
      422,
      'cover-is-self',
    ],
    [
      'an Admin of another group as cover',
      (c) => ({ periods: [period(1, 2, c.t.farAdmin)] }),
      422,
      'cover-not-in-group',
    ],
    [
      'a member in no group as cover',
      (c) => ({ periods: [period(1, 2, c.t.outsider)] }),
      422,
      'cover-not-in-group',
    ],
    [
      'a cover unknown to the practice',
      () => ({ periods: [period(1, 2, uniqueName('mbr_nobody'))] }),
      422,
      'cover-not-in-group',
    ],
    [
      "the other practice's member, in a group with the member's id there",
      (c) => ({ periods: [period(1, 2, c.foreign)] }),
      422,
      'cover-not-in-group',
    ],
    [
      'a deactivated member of the group as cover',
      (c) => ({ periods: [period(1, 2, c.gone)] }),
      422,
      'cover-inactive',
    ],
    [
      'a cover left out',
      () => ({ periods: [{ startsAt: day(1), endsAt: day(2) }] }),
      422,
      'validation-failed',
    ],
    [
      'a cover as a number',
      () => ({ periods: [{ ...period(1, 2), coverMemberId: 7 }] }),
      422,
      'validation-failed',
    ],
    [
      'a start as a number',
      () => ({ periods: [{ ...period(1, 2), startsAt: BASE }] }),
      422,
      'validation-failed',
    ],
    ['an unknown field', () => ({ periods: [period(1, 2)], note: 'x' }), 422, 'validation-failed'],
    [
      'an unknown field in a period',
      () => ({ periods: [{ ...period(1, 2), reason: 'holiday' }] }),
      422,
      'validation-failed',
    ],
    ['periods as an object', () => ({ periods: period(1, 2) }), 422, 'validation-failed'],
    [
      'a period as a string',
      () => ({ periods: ['2099-01-01T00:00:00Z'] }),
      422,
      'validation-failed',
    ],
    ['periods as null', () => ({ periods: null }), 422, 'validation-failed'],
    ['an empty cover id', () => ({ periods: [period(1, 2, '')] }), 422, 'validation-failed'],
    [
      'a cover id with a space',
      () => ({ periods: [period(1, 2, 'mbr x')] }),
      422,
      'validation-failed',
    ],
    ['an empty body', () => ({}), 422, 'validation-failed'],
    ['NUL in a cover', () => ({ periods: [period(1, 2, 'mbr\u0000x')] }), 422, 'invalid-text'],
  ];

  it.each(refusals.map(([label, body, status, code]) => [label, status, code, body] as const))(
    '%s: %d %s, nothing stored or published',
    async (_label, status, code, body) => {
      const before = eventsOf(t.member).length;
      const response = await http()
        .put(oooOf(t.member))
        .set('authorization', await as(t.member))
        .set('if-match', `"${before}"`)
        .send(body({ t, gone, foreign }))
        .expect(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status, code });
      const read = await http()
        .get(oooOf(t.member))
        .set('authorization', await as(t.member))
        .expect(200);
      expect(read.body.version).toBe(before);
      expect(read.headers.etag).toBe(`"${before}"`);
      await publishedNothingSince(t.member, before);
    },
  );

  it('malformed JSON is 400 malformed-body', async () => {
    const response = await http()
      .put(oooOf(t.member))
      .set('authorization', await as(t.member))
      .set('content-type', 'application/json')
      .send('{"periods": [')
      .expect(400);
    expect(response.body.code).toBe('malformed-body');
  });
});
