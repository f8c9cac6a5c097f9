/**
 * Settings > Messages > Message Groups against the real servers: the
 * directory replica fed over Kafka, rules and their boundaries, privileges
 * that follow role changes, tenant isolation, concurrency, and the events.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  MessageGroupCreatedV1,
  MessageGroupDeletedV1,
  MessageGroupUpdatedV1,
  PRIVILEGES,
  TOPICS,
} from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import {
  DirectoryFeed,
  EventsOnTopic,
  ServiceTestBed,
  startServiceForTest,
  TEST_JWT_SECRET,
  testEnvironment,
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
const freePractice = uniqueName('prc_free');

const bed = new ServiceTestBed(
  { appModule: (c) => AppModule.forConfig(c), loadConfig, description: SERVICE },
  'group-config-it',
);
let app: INestApplication;
let feed: DirectoryFeed;
let groupEvents: EventsOnTopic;

const token = (sub: string, practiceId = practice, actor: ActorKind = 'member') =>
  mintToken(TEST_JWT_SECRET, { sub, practiceId, actor });

async function as(sub: string, practiceId = practice) {
  return `Bearer ${await token(sub, practiceId)}`;
}

const staff = Array.from({ length: 11 }, (_, i) => `mbr_${i}`);

const billing = (overrides: object = {}) => ({
  name: 'Billing Team',
  description: 'Use this group to send your billing-related queries',
  recipientMode: 'specific-members',
  members: [
    { memberId: 'mbr_0', privilege: 'admin' },
    { memberId: 'mbr_1', privilege: 'user' },
  ],
  ...overrides,
});

async function feedPractice(feed: DirectoryFeed, plan: 'free' | 'paid', adminId: string) {
  await feed.practice({ name: 'Riverside', plan });
  await feed.facility({ facilityId: 'fac_downtown', name: 'Downtown', active: true });
  await feed.patientCategory({
    categoryId: 'cat_diabetes',
    name: 'Diabetes Program',
    active: true,
  });
  await feed.role({
    roleId: 'role_manager',
    name: 'Office Manager',
    privileges: [PRIVILEGES.messageGroupsSettings],
  });
  await feed.role({ roleId: 'role_staff', name: 'Staff', privileges: [] });
  await feed.member({
    memberId: adminId,
    displayName: 'Settings Admin',
    roleId: 'role_manager',
    active: true,
  });
}

/** Waits until the service's replica has caught up: the settings admin may list groups. */
async function untilAllowed(sub: string, practiceId = practice) {
  const authorization = await as(sub, practiceId);
  await waitFor(
    async () =>
      (
        await request(app.getHttpServer())
          .get('/message-groups')
          .set('authorization', authorization)
      ).status,
    (status) => status === 200,
    { description: `${sub} allowed to manage groups` },
  );
}

beforeAll(async () => {
  await bed.connect();
  feed = bed.directory(practice);
  await feedPractice(feed, 'paid', 'mbr_settings');
  for (const id of staff)
    await feed.member({
      memberId: id,
      displayName: `Staff ${id}`,
      roleId: 'role_staff',
      active: true,
    });
  await feed.member({
    memberId: 'mbr_gone',
    displayName: 'Gone',
    roleId: 'role_staff',
    active: false,
  });
  await feedPractice(bed.directory(otherPractice), 'paid', 'mbr_other_admin');
  await feedPractice(bed.directory(freePractice), 'free', 'mbr_free_admin');

  app = await bed.start();
  groupEvents = await bed.observe(TOPICS.messageGroups.name, practice);
  await untilReplicated();
});

/** Directory topics are consumed independently: wait until every fact the tests rely on has arrived. */
async function untilReplicated() {
  const replica = app.get(DirectoryReplica);
  await bed.untilReplicated(
    () => [
      replica.practice(practice),
      replica.practice(otherPractice),
      replica.practice(freePractice),
      replica.facility(practice, 'fac_downtown'),
      replica.patientCategory(practice, 'cat_diabetes'),
      replica
        .members(practice, [...staff, 'mbr_gone', 'mbr_settings'])
        .then((found) => found.length === staff.length + 2),
      replica.member(otherPractice, 'mbr_other_admin'),
      replica.member(freePractice, 'mbr_free_admin'),
      replica.role(practice, 'role_manager'),
      replica.role(otherPractice, 'role_manager'),
      replica.role(freePractice, 'role_manager'),
    ],
    { timeoutMs: 30000, description: 'the directory replica to catch up' },
  );
}

afterAll(() => bed.stop());

const http = () => request(app.getHttpServer());

describe('creating a group', () => {
  it('stores the group, answers with its id, and publishes one schema-valid MessageGroupCreated', async () => {
    const created = await http()
      .post('/message-groups')
      .set('authorization', await as('mbr_settings'))
      .send(
        billing({
          name: 'Front Office',
          facilityId: 'fac_downtown',
          patientCategoryId: 'cat_diabetes',
        }),
      )
      .expect(201);
    const { groupId, version } = created.body;
    expect(version).toBe(1);
    expect(created.headers.location).toBe(`/message-groups/${groupId}`);

    const read = await http()
      .get(`/message-groups/${groupId}`)
      .set('authorization', await as('mbr_settings'))
      .expect(200);
    expect(read.body).toMatchObject({
      name: 'Front Office',
      facilityId: 'fac_downtown',
      patientCategoryId: 'cat_diabetes',
      recipientMode: 'specific-members',
      needsAdmin: false,
      members: [
        { memberId: 'mbr_0', privilege: 'admin', active: true, displayName: 'Staff mbr_0' },
        { memberId: 'mbr_1', privilege: 'user', active: true },
      ],
    });

    const [event] = await waitFor(
      async () => groupEvents.ofType(MessageGroupCreatedV1.type, groupId),
      (events) => events.length > 0,
      { description: 'MessageGroupCreated' },
    );
    expect(event!.data).toMatchObject({
      groupId,
      practiceId: practice,
      name: 'Front Office',
      version: 1,
    });
    expect(groupEvents.invalid).toEqual([]);
  });

  it('takes 10 members and refuses 11', async () => {
    const members = (n: number) =>
      staff.slice(0, n).map((memberId, i) => ({ memberId, privilege: i ? 'user' : 'admin' }));
    const authorization = await as('mbr_settings');
    await http()
      .post('/message-groups')
      .set('authorization', authorization)
      .send(billing({ name: 'Ten', members: members(10) }))
      .expect(201);
    const eleven = await http()
      .post('/message-groups')
      .set('authorization', authorization)
      .send(billing({ name: 'Eleven', members: members(11) }))
      .expect(422);
    expect(eleven.headers['content-type']).toContain('application/problem+json');
    expect(eleven.body.code).toBe('too-many-members');
  });

  it.each([
    ['no Admin', { members: [{ memberId: 'mbr_1', privilege: 'user' }] }, 'group-needs-admin'],
    [
      'a deactivated member',
      { members: [{ memberId: 'mbr_gone', privilege: 'admin' }] },
      'member-inactive',
    ],
    [
      'a member of no practice of ours',
      { members: [{ memberId: 'mbr_other_admin', privilege: 'admin' }] },
      'unknown-member',
    ],
    ['a facility of another practice', { facilityId: 'fac_elsewhere' }, 'unknown-facility'],
    [
      'a category of another practice',
      { patientCategoryId: 'cat_elsewhere' },
      'unknown-patient-category',
    ],
    ['a 101-character name', { name: 'n'.repeat(101) }, 'group-name-too-long'],
    ['a blank name', { name: '   ' }, 'group-name-required'],
    ['a 501-character description', { description: 'd'.repeat(501) }, 'group-description-too-long'],
    ['Users in a care-team group', { recipientMode: 'care-team' }, 'care-team-group-admins-only'],
  ])('refuses %s', async (_, change, code) => {
    const response = await http()
      .post('/message-groups')
      .set('authorization', await as('mbr_settings'))
      .send(billing({ name: uniqueName('g'), ...change }))
      .expect(422);
    expect(response.body.code).toBe(code);
  });

  it('refuses a name that differs from an existing one only in case or spaces', async () => {
    const authorization = await as('mbr_settings');
    await http()
      .post('/message-groups')
      .set('authorization', authorization)
      .send(billing({ name: 'Lab Services' }))
      .expect(201);
    for (const name of ['lab services', '  LAB SERVICES  ', 'Lab   Services']) {
      const response = await http()
        .post('/message-groups')
        .set('authorization', authorization)
        .send(billing({ name }))
        .expect(409);
      expect(response.body.code).toBe('group-name-taken');
    }
  });

  it("refuses renaming a group to another group's name, and changes nothing", async () => {
    const authorization = await as('mbr_settings');
    const create = (name: string) =>
      http().post('/message-groups').set('authorization', authorization).send(billing({ name }));
    await create('Imaging').expect(201);
    const { groupId } = (await create('Radiology').expect(201)).body;
    const response = await http()
      .put(`/message-groups/${groupId}`)
      .set('authorization', authorization)
      .send(billing({ name: ' imaging ' }))
      .expect(409);
    expect(response.body.code).toBe('group-name-taken');
    const kept = await http()
      .get(`/message-groups/${groupId}`)
      .set('authorization', authorization)
      .expect(200);
    expect(kept.body).toMatchObject({ name: 'Radiology', version: 1 });
  });

  it('lets exactly one of concurrent creates with the same name win', async () => {
    const authorization = await as('mbr_settings');
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        http()
          .post('/message-groups')
          .set('authorization', authorization)
          .send(billing({ name: i % 2 ? 'Refills' : ' refills ' })),
      ),
    );
    const statuses = attempts.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    const list = await http()
      .get('/message-groups')
      .set('authorization', authorization)
      .expect(200);
    expect(
      list.body.filter((group: { name: string }) => group.name.trim().toLowerCase() === 'refills'),
    ).toHaveLength(1);
  });

  it('is refused to a practice on the free plan', async () => {
    const response = await http()
      .post('/message-groups')
      .set('authorization', await as('mbr_free_admin', freePractice))
      .send(billing({ members: [{ memberId: 'mbr_free_admin', privilege: 'admin' }] }))
      .expect(402);
    expect(response.body.code).toBe('paid-plan-required');
  });
});

describe('privileges', () => {
  it('needs Settings > Messages > Practice Access, and follows role changes without new tokens', async () => {
    const authorization = await as('mbr_5');
    const denied = await http()
      .get('/message-groups')
      .set('authorization', authorization)
      .expect(403);
    expect(denied.body.code).toBe('privilege-required');
    await http()
      .post('/message-groups')
      .set('authorization', authorization)
      .send(billing({ name: 'Nope' }))
      .expect(403);

    await feed.member({
      memberId: 'mbr_5',
      displayName: 'Staff mbr_5',
      roleId: 'role_manager',
      active: true,
    });
    await untilAllowed('mbr_5');

    await feed.role({ roleId: 'role_manager', name: 'Office Manager', privileges: [] });
    await waitFor(
      async () => (await http().get('/message-groups').set('authorization', authorization)).status,
      (status) => status === 403,
      { description: 'the revoked privilege to take effect' },
    );
    await feed.role({
      roleId: 'role_manager',
      name: 'Office Manager',
      privileges: [PRIVILEGES.messageGroupsSettings],
    });
    await untilAllowed('mbr_settings');
  });

  it('is for members only: patients get 403, no token gets 401', async () => {
    const patient = await token('pat_ruth', practice, 'patient');
    const response = await http()
      .get('/message-groups')
      .set('authorization', `Bearer ${patient}`)
      .expect(403);
    expect(response.body.code).toBe('actor-not-allowed');
    await http().get('/message-groups').expect(401);
  });
});

describe('tenant isolation', () => {
  it("never shows or changes another practice's groups, and does not tell that they exist", async () => {
    const created = await http()
      .post('/message-groups')
      .set('authorization', await as('mbr_settings'))
      .send(billing({ name: 'Private' }))
      .expect(201);
    const { groupId } = created.body;
    const outsider = await as('mbr_other_admin', otherPractice);
    const missing = await http()
      .get(`/message-groups/${uniqueName('grp')}`)
      .set('authorization', outsider)
      .expect(404);
    const foreign = await http()
      .get(`/message-groups/${groupId}`)
      .set('authorization', outsider)
      .expect(404);
    expect(foreign.body).toEqual({
      ...missing.body,
      detail: expect.any(String),
      instance: expect.any(String),
    });
    expect(foreign.body.code).toBe('group-not-found');
    await http()
      .put(`/message-groups/${groupId}`)
      .set('authorization', outsider)
      .send(billing({ name: 'Taken over' }))
      .expect(404);
    await http().delete(`/message-groups/${groupId}`).set('authorization', outsider).expect(404);
    const theirs = await http().get('/message-groups').set('authorization', outsider).expect(200);
    expect(theirs.body.map((group: { groupId: string }) => group.groupId)).not.toContain(groupId);
    await http()
      .get(`/message-groups/${groupId}`)
      .set('authorization', await as('mbr_settings'))
      .expect(200);
  });
});

describe('editing and deleting', () => {
  it('publishes one event per change, with the full state and a growing version', async () => {
    const authorization = await as('mbr_settings');
    const { groupId } = (
      await http()
        .post('/message-groups')
        .set('authorization', authorization)
        .send(billing({ name: 'Pharmacy' }))
        .expect(201)
    ).body;
    const updated = await http()
      .put(`/message-groups/${groupId}`)
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(
        billing({ name: 'Pharmacy Team', members: [{ memberId: 'mbr_2', privilege: 'admin' }] }),
      )
      .expect(200);
    expect(updated.body.version).toBe(2);
    const stale = await http()
      .put(`/message-groups/${groupId}`)
      .set('authorization', authorization)
      .set('if-match', '"1"')
      .send(billing({ name: 'Pharmacy Again' }))
      .expect(409);
    expect(stale.body.code).toBe('group-changed-meanwhile');
    await http()
      .delete(`/message-groups/${groupId}`)
      .set('authorization', authorization)
      .expect(204);
    await http().get(`/message-groups/${groupId}`).set('authorization', authorization).expect(404);
    // Its name is free again.
    await http()
      .post('/message-groups')
      .set('authorization', authorization)
      .send(billing({ name: 'pharmacy team' }))
      .expect(201);

    const events = await waitFor(
      async () => groupEvents.events.filter((event) => event.subject === groupId),
      (found) => found.length >= 3,
      { description: 'the three events of the group' },
    );
    expect(
      events.map((event) => [event.type, (event.data as { version: number }).version]),
    ).toEqual([
      [MessageGroupCreatedV1.type, 1],
      [MessageGroupUpdatedV1.type, 2],
      [MessageGroupDeletedV1.type, 3],
    ]);
    expect(events[1]!.data).toMatchObject({
      name: 'Pharmacy Team',
      members: [{ memberId: 'mbr_2', privilege: 'admin' }],
    });
  });

  it('flags a group whose Admins are all deactivated', async () => {
    const authorization = await as('mbr_settings');
    const { groupId } = (
      await http()
        .post('/message-groups')
        .set('authorization', authorization)
        .send(
          billing({
            name: 'Referrals',
            members: [
              { memberId: 'mbr_9', privilege: 'admin' },
              { memberId: 'mbr_8', privilege: 'user' },
            ],
          }),
        )
        .expect(201)
    ).body;
    await feed.member({
      memberId: 'mbr_9',
      displayName: 'Staff mbr_9',
      roleId: 'role_staff',
      active: false,
    });
    const view = await waitFor(
      async () =>
        (await http().get(`/message-groups/${groupId}`).set('authorization', authorization)).body,
      (body) => body.needsAdmin === true,
      { description: 'the group to need an Admin' },
    );
    expect(view.members).toContainEqual(
      expect.objectContaining({ memberId: 'mbr_9', active: false }),
    );
  });
});

describe('the directory replica', () => {
  it('rebuilt from the compacted topics by a fresh instance equals the live one', async () => {
    const live = app.get(DirectoryReplica);
    const fresh = await startServiceForTest(
      (c) => AppModule.forConfig(c),
      loadConfig(testEnvironment()),
      SERVICE,
    );
    try {
      const expected = await live.snapshot(practice);
      const rebuilt = await waitFor(
        () => fresh.get(DirectoryReplica).snapshot(practice),
        (snapshot) => JSON.stringify(snapshot) === JSON.stringify(expected),
        { timeoutMs: 30000, description: 'the rebuilt replica to equal the live one' },
      );
      expect(rebuilt).toEqual(expected);
      expect(Object.values(rebuilt).flat().length).toBeGreaterThan(10);
    } finally {
      await fresh.close();
    }
  });
});
