/**
 * Settings > PHR Settings > Preferences against the real servers: defaults,
 * versioned updates and their events, the rules on excluded members, the
 * Settings > PHR Settings privilege that follows the directory replica (fed
 * over Kafka), tenant isolation and concurrent writers.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import { PhrMessagingPreferencesUpdatedV1, PRIVILEGES, TOPICS } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import {
  DirectoryFeed,
  EventsOnTopic,
  ServiceTestBed,
  TEST_JWT_SECRET,
  uniqueName,
  waitFor,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';

const practice = uniqueName('prc');
const otherPractice = uniqueName('prc_other');
const busyPractice = uniqueName('prc_busy');

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'phr-preferences-it',
);
let app: INestApplication;
let feed: DirectoryFeed;
let events: EventsOnTopic;
let otherEvents: EventsOnTopic;
let busyEvents: EventsOnTopic;

const http = () => request(app.getHttpServer());

async function as(sub: string, practiceId = practice, actor: ActorKind = 'member') {
  return `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor })}`;
}

const DEFAULTS = {
  allowPatientMessages: false,
  patientMessagePreference: 'members-only',
  memberRecipients: 'all-members',
  excludedMemberIds: [],
};

const preferences = (overrides: object = {}) => ({
  allowPatientMessages: true,
  patientMessagePreference: 'groups-and-members',
  memberRecipients: 'care-team',
  excludedMemberIds: [],
  ...overrides,
});

const versionOf = (event: { data: unknown }) => (event.data as { version: number }).version;

/** A practice with a PHR settings admin, a staff member without the privilege, and a deactivated member. */
async function feedPractice(target: DirectoryFeed, adminId: string) {
  await target.practice({ name: 'Riverside', plan: 'paid' });
  await target.role({
    roleId: 'role_admin',
    name: 'Practice Admin',
    privileges: [PRIVILEGES.phrSettings, PRIVILEGES.messageGroupsSettings],
  });
  await target.role({
    roleId: 'role_groups',
    name: 'Groups Manager',
    privileges: [PRIVILEGES.messageGroupsSettings],
  });
  await target.member({
    memberId: adminId,
    displayName: 'PHR Admin',
    roleId: 'role_admin',
    active: true,
  });
}

beforeAll(async () => {
  await bed.connect();
  feed = bed.directory(practice);
  await feedPractice(feed, 'mbr_admin');
  await feed.role({ roleId: 'role_front', name: 'Front Desk', privileges: [] });
  for (const [memberId, roleId, active] of [
    ['mbr_front', 'role_front', true],
    ['mbr_groups', 'role_groups', true],
    ['mbr_alice', null, true],
    ['mbr_bob', null, true],
    ['mbr_gone', 'role_admin', false],
  ] as const) {
    await feed.member({ memberId, displayName: `Staff ${memberId}`, roleId, active });
  }
  await feedPractice(bed.directory(otherPractice), 'mbr_other_admin');
  await feedPractice(bed.directory(busyPractice), 'mbr_busy_admin');

  app = await bed.start();
  [events, otherEvents, busyEvents] = await Promise.all(
    [practice, otherPractice, busyPractice].map((p) => bed.observe(TOPICS.phrPreferences.name, p)),
  );
  await untilReplicated();
  // Joining the consumer group and reading the six compacted topics takes 10–20 s, more under load.
}, 120000);

afterAll(() => bed.stop());

/** Directory topics are consumed independently: wait until every fact the tests rely on has arrived. */
async function untilReplicated() {
  const replica = app.get(DirectoryReplica);
  const members = ['mbr_admin', 'mbr_front', 'mbr_groups', 'mbr_alice', 'mbr_bob', 'mbr_gone'];
  await bed.untilReplicated(
    () => [
      replica.members(practice, members).then((found) => found.length === members.length),
      replica.role(practice, 'role_admin'),
      replica.role(practice, 'role_front'),
      replica.role(practice, 'role_groups'),
      replica.member(otherPractice, 'mbr_other_admin'),
      replica.role(otherPractice, 'role_admin'),
      replica.member(busyPractice, 'mbr_busy_admin'),
      replica.role(busyPractice, 'role_admin'),
    ],
    { timeoutMs: 90000, description: 'the directory replica to catch up' },
  );
}

/** Waits until `observer` has seen the event of `version`; returns every event it kept. */
function untilEvent(observer: EventsOnTopic, version: number) {
  return waitFor(
    async () => observer.ofType(PhrMessagingPreferencesUpdatedV1.type),
    (found) => found.some((event) => versionOf(event) === version),
    { timeoutMs: 30000, description: `PhrMessagingPreferencesUpdated v${version}` },
  );
}

describe('reading and saving', () => {
  it('gives the defaults, at version 0, to a practice that never saved', async () => {
    const response = await http()
      .get('/phr-preferences')
      .set('authorization', await as('mbr_other_admin', otherPractice))
      .expect(200);
    expect(response.body).toEqual({ ...DEFAULTS, version: 0 });
    expect(response.headers.etag).toBe('"0"');
  });

  it('saves, reads back, and publishes one schema-valid event per save with the full state', async () => {
    const authorization = await as('mbr_admin');
    const first = preferences({ excludedMemberIds: ['mbr_bob'] });
    const saved = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(first)
      .expect(200);
    expect(saved.body).toEqual({ version: 1 });
    expect(saved.headers.etag).toBe('"1"');
    const read = await http()
      .get('/phr-preferences')
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toEqual({ ...first, version: 1 });
    expect(read.headers.etag).toBe('"1"');

    const [event] = await untilEvent(events, 1);
    expect(event!.subject).toBe(practice);
    expect(event!.practiceId).toBe(practice);
    expect(event!.data).toEqual({
      practiceId: practice,
      ...first,
      version: 1,
      changedAt: expect.any(String),
    });

    const second = preferences({ patientMessagePreference: 'groups-only' });
    const again = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(second)
      .expect(200);
    expect(again.body).toEqual({ version: 2 });
    expect(again.headers.etag).toBe('"2"');

    const stale = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(preferences({ allowPatientMessages: false }))
      .expect(409);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect(stale.body.code).toBe('preferences-changed-meanwhile');

    const found = await untilEvent(events, 2);
    // One event per save, in order: the refused write published nothing before v2 or after v1.
    expect(found.map(versionOf)).toEqual([1, 2]);
    expect(found[1]!.data).toMatchObject({ ...second, version: 2 });
    expect(events.invalid).toEqual([]);
    const current = await http()
      .get('/phr-preferences')
      .set('authorization', authorization)
      .expect(200);
    expect(current.body).toEqual({ ...second, version: 2 });
  });

  it.each([
    ['groups-only', 'all-members'],
    ['groups-only', 'care-team'],
    ['members-only', 'all-members'],
    ['members-only', 'care-team'],
    ['groups-and-members', 'all-members'],
    ['groups-and-members', 'care-team'],
  ])('accepts %s with %s', async (patientMessagePreference, memberRecipients) => {
    const authorization = await as('mbr_admin');
    const chosen = preferences({ patientMessagePreference, memberRecipients });
    await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(chosen)
      .expect(200);
    const read = await http()
      .get('/phr-preferences')
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toMatchObject(chosen);
  });

  it.each<[string, object]>([
    ['an unknown message preference', { patientMessagePreference: 'everyone' }],
    ['an unknown member scope', { memberRecipients: 'whole-world' }],
    ['a message preference in another case', { patientMessagePreference: 'Groups-Only' }],
    ['a string for the Yes/No choice', { allowPatientMessages: 'yes' }],
    ['excluded members not in a list', { excludedMemberIds: 'mbr_bob' }],
    ['an unknown field', { practiceId: otherPractice }],
  ])('refuses %s as validation-failed, changing nothing', async (_, change) => {
    const authorization = await as('mbr_admin');
    const before = (
      await http().get('/phr-preferences').set('authorization', authorization).expect(200)
    ).body;
    const response = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences(change))
      .expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('validation-failed');
    const after = await http().get('/phr-preferences').set('authorization', authorization);
    expect(after.body).toEqual(before);
  });

  it('refuses a missing field as validation-failed', async () => {
    const { memberRecipients: _omitted, ...incomplete } = preferences();
    const response = await http()
      .put('/phr-preferences')
      .set('authorization', await as('mbr_admin'))
      .send(incomplete)
      .expect(422);
    expect(response.body.code).toBe('validation-failed');
  });
});

describe('excluded members', () => {
  it('collapses duplicates, and may exclude a deactivated member', async () => {
    const authorization = await as('mbr_admin');
    await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences({ excludedMemberIds: ['mbr_bob', 'mbr_gone', 'mbr_bob', 'mbr_alice'] }))
      .expect(200);
    const read = await http()
      .get('/phr-preferences')
      .set('authorization', authorization)
      .expect(200);
    expect([...read.body.excludedMemberIds].sort()).toEqual(['mbr_alice', 'mbr_bob', 'mbr_gone']);
  });

  it.each([
    ['a member of another practice', ['mbr_alice', 'mbr_other_admin']],
    ['an unknown id', ['mbr_nobody']],
  ])('refuses %s as unknown-member, changing nothing', async (_, excludedMemberIds) => {
    const authorization = await as('mbr_admin');
    const before = (
      await http().get('/phr-preferences').set('authorization', authorization).expect(200)
    ).body;
    const response = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences({ excludedMemberIds }))
      .expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('unknown-member');
    const after = await http().get('/phr-preferences').set('authorization', authorization);
    expect(after.body).toEqual(before);
  });
});

describe('privileges', () => {
  const status = async (sub: string) =>
    (
      await http()
        .get('/phr-preferences')
        .set('authorization', await as(sub))
    ).status;

  it('needs Settings > PHR Settings, and follows role changes without new tokens', async () => {
    const authorization = await as('mbr_front');
    const denied = await http()
      .get('/phr-preferences')
      .set('authorization', authorization)
      .expect(403);
    expect(denied.headers['content-type']).toContain('application/problem+json');
    expect(denied.body.code).toBe('privilege-required');
    const write = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences())
      .expect(403);
    expect(write.body.code).toBe('privilege-required');
    // Settings > Messages > Practice Access is another privilege.
    expect(await status('mbr_groups')).toBe(403);
    // A deactivated member keeps no privilege, whatever their role.
    expect(await status('mbr_gone')).toBe(403);

    await feed.role({
      roleId: 'role_front',
      name: 'Front Desk',
      privileges: [PRIVILEGES.phrSettings],
    });
    await waitFor(
      () => status('mbr_front'),
      (s) => s === 200,
      { timeoutMs: 30000, description: 'the granted privilege to take effect' },
    );
    const saved = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences({ allowPatientMessages: false }))
      .expect(200);
    expect(saved.body.version).toBeGreaterThan(0);

    await feed.role({ roleId: 'role_front', name: 'Front Desk', privileges: [] });
    await waitFor(
      () => status('mbr_front'),
      (s) => s === 403,
      { timeoutMs: 30000, description: 'the revoked privilege to take effect' },
    );
    const revoked = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences())
      .expect(403);
    expect(revoked.body.code).toBe('privilege-required');
    expect(await status('mbr_admin')).toBe(200);
  });

  it('is for members only: patients and systems get 403, no token gets 401', async () => {
    for (const actor of ['patient', 'system'] as const) {
      const authorization = await as('mbr_admin', practice, actor);
      const read = await http()
        .get('/phr-preferences')
        .set('authorization', authorization)
        .expect(403);
      expect(read.body.code).toBe('actor-not-allowed');
      const write = await http()
        .put('/phr-preferences')
        .set('authorization', authorization)
        .send(preferences())
        .expect(403);
      expect(write.body.code).toBe('actor-not-allowed');
    }
    const anonymous = await http().get('/phr-preferences').expect(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    await http().put('/phr-preferences').send(preferences()).expect(401);
  });
});

describe('tenant isolation', () => {
  it("never shows or changes another practice's preferences", async () => {
    const ours = await as('mbr_admin');
    const theirs = await as('mbr_other_admin', otherPractice);
    const saved = preferences({ excludedMemberIds: ['mbr_alice'] });
    const { version } = (
      await http().put('/phr-preferences').set('authorization', ours).send(saved).expect(200)
    ).body;

    const theirView = await http().get('/phr-preferences').set('authorization', theirs).expect(200);
    expect(theirView.body).toEqual({ ...DEFAULTS, version: 0 });

    // An admin of practice B holding the id of a member of A: not a member of B.
    const foreign = await http()
      .put('/phr-preferences')
      .set('authorization', theirs)
      .send(preferences({ excludedMemberIds: ['mbr_alice'] }))
      .expect(422);
    expect(foreign.body.code).toBe('unknown-member');

    const theirs1 = preferences({ patientMessagePreference: 'groups-only' });
    const written = await http()
      .put('/phr-preferences')
      .set('authorization', theirs)
      .set('if-match', '"0"')
      .send(theirs1)
      .expect(200);
    expect(written.body).toEqual({ version: 1 });
    expect(
      (await http().get('/phr-preferences').set('authorization', theirs).expect(200)).body,
    ).toEqual({ ...theirs1, version: 1 });
    expect(
      (await http().get('/phr-preferences').set('authorization', ours).expect(200)).body,
    ).toEqual({ ...saved, version });

    const [event, ...more] = await untilEvent(otherEvents, 1);
    expect(more).toEqual([]);
    expect(event!.data).toMatchObject({ practiceId: otherPractice, ...theirs1, version: 1 });
    // Practice A's events never carry B's state.
    await untilEvent(events, version);
    expect(events.events.filter((e) => versionOf(e) === 1)).toHaveLength(1);
    expect(
      events.events.every((e) => (e.data as { practiceId: string }).practiceId === practice),
    ).toBe(true);
  });
});

describe('concurrent saves', () => {
  it('answers each 200 or 409, never loses or duplicates a version or an event', async () => {
    const authorization = await as('mbr_busy_admin', busyPractice);
    const put = (i: number) =>
      http()
        .put('/phr-preferences')
        .set('authorization', authorization)
        .send(
          preferences({
            allowPatientMessages: i % 2 === 0,
            excludedMemberIds: i ? [] : ['mbr_busy_admin'],
          }),
        );

    const versions: number[] = [];
    // First round on a practice that never saved (concurrent inserts), then on a stored document.
    for (const round of [0, 1]) {
      const attempts = await Promise.all(Array.from({ length: 5 }, (_, i) => put(i + round * 5)));
      for (const attempt of attempts) expect([200, 409]).toContain(attempt.status);
      const ok = attempts.filter((attempt) => attempt.status === 200);
      expect(ok.length).toBeGreaterThan(0);
      for (const conflict of attempts.filter((attempt) => attempt.status === 409)) {
        expect(conflict.body.code).toBe('preferences-changed-meanwhile');
      }
      versions.push(...ok.map((attempt) => attempt.body.version as number));
    }
    expect(new Set(versions).size).toBe(versions.length);

    // A last, single save: once its event is here, every earlier one has arrived (one key, one partition).
    const last = await http()
      .put('/phr-preferences')
      .set('authorization', authorization)
      .send(preferences())
      .expect(200);
    versions.push(last.body.version);
    const found = await untilEvent(busyEvents, last.body.version);
    expect(found.map(versionOf)).toEqual([...versions].sort((a, b) => a - b));
    expect(busyEvents.invalid).toEqual([]);
    // Versions have no gaps: every stored version was answered and published once.
    expect(found.map(versionOf)).toEqual(found.map((_, i) => i + 1));
    const read = await http()
      .get('/phr-preferences')
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toEqual({ ...preferences(), version: last.body.version });
  });
});
