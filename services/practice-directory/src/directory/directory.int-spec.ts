/**
 * The practice directory against the real servers: whole-practice imports and
 * single-entry writes by the practice's system feed (the EHR), the state
 * events they publish on the gm.directory.* topics, references checked before
 * anything is written, actors, tenants and input rules.
 */
import { mintToken, type ActorKind } from '@gm/auth';
import {
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  PRIVILEGES,
  RoleChangedV1,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import { createKafka, silentLogger } from '@gm/messaging';
import {
  EventsOnTopic,
  startServiceForTest,
  TEST_JWT_SECRET,
  testEnvironment,
  testInfrastructure,
  uniqueName,
  waitFor,
} from '@gm/testing';
import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import request from 'supertest';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config.js';
import { SERVICE } from '../service.js';

type Kind = 'practice' | 'facility' | 'patient-category' | 'role' | 'member' | 'patient';

const DEFINITIONS: Record<Kind, EventDefinition<unknown>> = {
  practice: PracticeChangedV1 as EventDefinition<unknown>,
  facility: FacilityChangedV1 as EventDefinition<unknown>,
  'patient-category': PatientCategoryChangedV1 as EventDefinition<unknown>,
  role: RoleChangedV1 as EventDefinition<unknown>,
  member: MemberChangedV1 as EventDefinition<unknown>,
  patient: PatientChangedV1 as EventDefinition<unknown>,
};
const KINDS = Object.keys(DEFINITIONS) as Kind[];

const practice = uniqueName('prc');
const otherPractice = uniqueName('prc_b');

let kafka: Kafka;
let app: INestApplication;
/** One observer per gm.directory.* topic, keeping the events of `practice`. */
const observers = {} as Record<Kind, EventsOnTopic>;
let otherMembers: EventsOnTopic;

const http = () => request(app.getHttpServer());

async function as(practiceId = practice, actor: ActorKind = 'system', sub = 'ehr_feed') {
  return `Bearer ${await mintToken(TEST_JWT_SECRET, { sub, practiceId, actor })}`;
}

const versionOf = (event: EventEnvelope) => (event.data as { version: number }).version;

interface Bundle {
  practice: { name: string; plan: string };
  facilities: { id: string; name: string; active?: boolean }[];
  patientCategories: { id: string; name: string; active?: boolean }[];
  roles: { id: string; name: string; privileges: string[] }[];
  members: { id: string; displayName: string; roleId: string | null; active?: boolean }[];
  patients: {
    id: string;
    displayName: string;
    facilityId: string | null;
    categoryIds: string[];
    careTeamMemberIds: string[];
    active?: boolean;
  }[];
}

/** A whole practice as the EHR exports it; `suffix` changes every name (so every entry). */
function riverside(suffix = ''): Bundle {
  return {
    practice: { name: `Riverside Family Practice${suffix}`, plan: 'paid' },
    facilities: [
      { id: 'fac_downtown', name: `Downtown Clinic${suffix}` },
      { id: 'fac_uptown', name: `Uptown Clinic${suffix}`, active: false },
    ],
    patientCategories: [
      { id: 'cat_cardio', name: `Cardiology${suffix}` },
      { id: 'cat_diabetes', name: `Diabetes Program${suffix}`, active: true },
    ],
    roles: [
      {
        id: 'role_manager',
        name: `Office Manager${suffix}`,
        privileges: [PRIVILEGES.messageGroupsSettings, PRIVILEGES.phrSettings],
      },
      { id: 'role_staff', name: `Staff${suffix}`, privileges: [] },
    ],
    members: [
      { id: 'mbr_alice', displayName: `Dr. Alice Moreau${suffix}`, roleId: 'role_manager' },
      { id: 'mbr_bob', displayName: `Bob Front Desk${suffix}`, roleId: 'role_staff', active: true },
      { id: 'mbr_gone', displayName: `Gone Away${suffix}`, roleId: 'role_staff', active: false },
    ],
    patients: [
      {
        id: 'pat_ruth',
        displayName: `Ruth Baker${suffix}`,
        facilityId: 'fac_downtown',
        categoryIds: ['cat_cardio', 'cat_diabetes'],
        careTeamMemberIds: ['mbr_alice', 'mbr_bob'],
      },
      {
        id: 'pat_sam',
        displayName: `Sam Lee${suffix}`,
        facilityId: null,
        categoryIds: [],
        careTeamMemberIds: [],
        active: false,
      },
    ],
  };
}

interface Entry {
  kind: Kind;
  id: string;
  state: Record<string, unknown>;
}

/** What each entry of a bundle is stored and published as (absent `active` means active). */
function entriesOf(bundle: Bundle, practiceId: string): Entry[] {
  const p = { practiceId };
  return [
    { kind: 'practice', id: practiceId, state: { ...p, ...bundle.practice } },
    ...bundle.facilities.map(({ id, name, active }) => ({
      kind: 'facility' as const,
      id,
      state: { ...p, facilityId: id, name, active: active ?? true },
    })),
    ...bundle.patientCategories.map(({ id, name, active }) => ({
      kind: 'patient-category' as const,
      id,
      state: { ...p, categoryId: id, name, active: active ?? true },
    })),
    ...bundle.roles.map(({ id, name, privileges }) => ({
      kind: 'role' as const,
      id,
      state: { ...p, roleId: id, name, privileges },
    })),
    ...bundle.members.map(({ id, displayName, roleId, active }) => ({
      kind: 'member' as const,
      id,
      state: { ...p, memberId: id, displayName, roleId, active: active ?? true },
    })),
    ...bundle.patients.map(({ id, active, ...patient }) => ({
      kind: 'patient' as const,
      id,
      state: { ...p, patientId: id, ...patient, active: active ?? true },
    })),
  ];
}

const ENTRIES = entriesOf(riverside(), practice);

const eventsOf = (kind: Kind, id: string) => observers[kind].ofType(DEFINITIONS[kind].type, id);

/** Waits until `kind` `id` of `practice` has an event of `version`; returns all its events. */
function untilEvent(kind: Kind, id: string, version: number) {
  return waitFor(
    async () => eventsOf(kind, id),
    (events) => events.some((event) => versionOf(event) === version),
    // The first wait also covers the observers joining and reading the topic from the start.
    {
      timeoutMs: 30000,
      description: `${kind} ${id} v${version} on ${DEFINITIONS[kind].topic.name}`,
    },
  );
}

let firstImport: request.Response;

beforeAll(async () => {
  kafka = createKafka(
    { brokers: testInfrastructure().kafkaBrokers, clientId: 'practice-directory-it' },
    silentLogger,
  );
  app = await startServiceForTest(
    (c) => AppModule.forConfig(c),
    loadConfig(testEnvironment()),
    SERVICE,
  );
  const started = await Promise.all([
    ...KINDS.map((kind) =>
      new EventsOnTopic(kafka, DEFINITIONS[kind].topic.name, practice).start(),
    ),
    new EventsOnTopic(kafka, MemberChangedV1.topic.name, otherPractice).start(),
  ]);
  KINDS.forEach((kind, i) => (observers[kind] = started[i]!));
  otherMembers = started[KINDS.length]!;
  firstImport = await http()
    .post('/directory/import')
    .set('authorization', await as())
    .send(riverside());
});

afterAll(async () => {
  await Promise.all([...Object.values(observers), otherMembers].map((o) => o?.stop()));
  await app?.close();
});

describe('importing a practice bundle', () => {
  it('writes every entry, readable at version 1, with one schema-valid state event per entry', async () => {
    expect(firstImport.status).toBe(200);
    expect(firstImport.body).toEqual({ written: ENTRIES.length, unchanged: 0 });
    expect(ENTRIES).toHaveLength(12);

    const authorization = await as();
    for (const { kind, id, state } of ENTRIES) {
      const read = await http()
        .get(`/directory/${kind}/${id}`)
        .set('authorization', authorization)
        .expect(200);
      expect(read.body).toEqual({ ...state, version: 1 });
    }

    for (const { kind, id, state } of ENTRIES) {
      const [event, ...more] = await untilEvent(kind, id, 1);
      expect(more).toEqual([]);
      expect(event!.type).toBe(DEFINITIONS[kind].type);
      // The record's key equals the aggregate id (fromWireRecord refuses a differing key).
      expect(event!.subject).toBe(id);
      expect(event!.practiceId).toBe(practice);
      expect(event!.source).toBe('/services/practice-directory');
      expect(event!.data).toEqual({ ...state, version: 1, changedAt: expect.any(String) });
    }
    for (const kind of KINDS) {
      // Nothing on the topic but the bundle's entries of that kind.
      expect(observers[kind].events.map((event) => event.subject).sort()).toEqual(
        ENTRIES.filter((entry) => entry.kind === kind)
          .map((entry) => entry.id)
          .sort(),
      );
      expect(observers[kind].invalid).toEqual([]);
    }
  });

  it('writes and publishes nothing when the same bundle comes again', async () => {
    const authorization = await as();
    const again = await http()
      .post('/directory/import')
      .set('authorization', authorization)
      .send(riverside())
      .expect(200);
    expect(again.body).toEqual({ written: 0, unchanged: ENTRIES.length });

    // A later change of every entry: its event follows anything the re-import
    // might have published on the same key, so once it is here, absence is proven.
    const renamed = await http()
      .post('/directory/import')
      .set('authorization', authorization)
      .send(riverside(' (renamed)'))
      .expect(200);
    expect(renamed.body).toEqual({ written: ENTRIES.length, unchanged: 0 });
    const expected = entriesOf(riverside(' (renamed)'), practice);
    for (const { kind, id, state } of expected) {
      const events = await untilEvent(kind, id, 2);
      expect(events.map(versionOf)).toEqual([1, 2]);
      expect(events[1]!.data).toEqual({ ...state, version: 2, changedAt: expect.any(String) });
      const read = await http()
        .get(`/directory/${kind}/${id}`)
        .set('authorization', authorization)
        .expect(200);
      expect(read.body).toEqual({ ...state, version: 2 });
    }
    for (const kind of KINDS) expect(observers[kind].invalid).toEqual([]);
  });
});

describe('changing one entry', () => {
  it('publishes exactly one event per change, with the next version and the new state', async () => {
    const authorization = await as();
    const put = (body: object) =>
      http().put('/directory/members/mbr_carol').set('authorization', authorization).send(body);
    const carol = { displayName: 'Carol Nurse', roleId: 'role_staff' };

    expect((await put(carol).expect(200)).body).toEqual({
      kind: 'member',
      id: 'mbr_carol',
      version: 1,
      changed: true,
    });
    expect((await put({ ...carol, roleId: 'role_manager' }).expect(200)).body).toMatchObject({
      version: 2,
      changed: true,
    });
    const [, promoted] = await untilEvent('member', 'mbr_carol', 2);
    expect(promoted!.data).toEqual({
      practiceId: practice,
      memberId: 'mbr_carol',
      displayName: 'Carol Nurse',
      roleId: 'role_manager',
      active: true,
      version: 2,
      changedAt: expect.any(String),
    });

    const deactivated = { ...carol, roleId: 'role_manager', active: false };
    expect((await put(deactivated).expect(200)).body).toMatchObject({ version: 3, changed: true });
    // The same state again is no change: same version, nothing published.
    expect((await put(deactivated).expect(200)).body).toMatchObject({
      version: 3,
      changed: false,
    });
    expect((await put({ ...deactivated, displayName: 'Carol N.' }).expect(200)).body).toMatchObject(
      { version: 4 },
    );
    const events = await untilEvent('member', 'mbr_carol', 4);
    expect(events.map(versionOf)).toEqual([1, 2, 3, 4]);
    expect(events[2]!.data).toMatchObject({ active: false, roleId: 'role_manager', version: 3 });
    const read = await http()
      .get('/directory/member/mbr_carol')
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toMatchObject({ displayName: 'Carol N.', active: false, version: 4 });
  });
});

describe('references', () => {
  const broken: [string, (bundle: Bundle) => void, string][] = [
    [
      'a patient at an unknown facility',
      (b) => void (b.patients[0]!.facilityId = 'fac_nowhere'),
      'unknown-facility',
    ],
    [
      "a patient at a facility only another practice has (riverside's fac_downtown)",
      (b) => void (b.facilities = b.facilities.filter((f) => f.id !== 'fac_downtown')),
      'unknown-facility',
    ],
    [
      'a patient in an unknown category',
      (b) => void b.patients[0]!.categoryIds.push('cat_nowhere'),
      'unknown-patient-category',
    ],
    [
      'a member with an unknown role',
      (b) => void (b.members[1]!.roleId = 'role_nowhere'),
      'unknown-role',
    ],
    [
      'a care team with an unknown member',
      (b) => void b.patients[0]!.careTeamMemberIds.push('mbr_nowhere'),
      'unknown-member',
    ],
    [
      'a role with an unknown privilege',
      (b) => void b.roles[0]!.privileges.push('settings.everything'),
      'unknown-privilege',
    ],
    [
      'the same member twice',
      (b) => void b.members.push({ ...b.members[0]!, displayName: 'Twin' }),
      'duplicate-entry',
    ],
  ];

  it.each(broken)(
    'refuses a bundle with %s, and writes nothing of it',
    async (_, breakIt, code) => {
      const fresh = uniqueName('prc_bad');
      const authorization = await as(fresh);
      const bundle = riverside();
      breakIt(bundle);
      const response = await http()
        .post('/directory/import')
        .set('authorization', authorization)
        .send(bundle)
        .expect(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 422, code });
      // The practice comes first in a bundle, the patients last: neither was written.
      for (const path of [
        `practice/${fresh}`,
        'facility/fac_uptown',
        'role/role_staff',
        'member/mbr_alice',
        'patient/pat_sam',
      ]) {
        await http().get(`/directory/${path}`).set('authorization', authorization).expect(404);
      }
    },
  );

  it('may point at entries stored earlier, by single writes or an earlier import', async () => {
    const fresh = uniqueName('prc_refs');
    const authorization = await as(fresh);
    const put = (path: string, body: object) =>
      http().put(`/directory/${path}`).set('authorization', authorization).send(body);
    await put('facilities/fac_north', { name: 'North' }).expect(200);
    await put('patient-categories/cat_peds', { name: 'Pediatrics' }).expect(200);
    await put('roles/role_nurse', { name: 'Nurse', privileges: [] }).expect(200);
    await put('members/mbr_nina', { displayName: 'Nina', roleId: 'role_nurse' }).expect(200);
    const patient = await put('patients/pat_tom', {
      displayName: 'Tom',
      facilityId: 'fac_north',
      categoryIds: ['cat_peds'],
      careTeamMemberIds: ['mbr_nina'],
    }).expect(200);
    expect(patient.body).toEqual({ kind: 'patient', id: 'pat_tom', version: 1, changed: true });

    const imported = await http()
      .post('/directory/import')
      .set('authorization', authorization)
      .send({
        practice: { name: 'North Practice', plan: 'free' },
        patients: [
          {
            id: 'pat_una',
            displayName: 'Una',
            facilityId: 'fac_north',
            categoryIds: ['cat_peds'],
            careTeamMemberIds: ['mbr_nina'],
          },
        ],
      })
      .expect(200);
    expect(imported.body).toEqual({ written: 2, unchanged: 0 });
    const read = await http()
      .get('/directory/patient/pat_una')
      .set('authorization', authorization)
      .expect(200);
    expect(read.body).toMatchObject({ practiceId: fresh, facilityId: 'fac_north', version: 1 });
    // A single write is checked against stored entries too.
    const bad = await put('patients/pat_vic', {
      displayName: 'Vic',
      facilityId: 'fac_south',
      categoryIds: [],
      careTeamMemberIds: [],
    }).expect(422);
    expect(bad.body.code).toBe('unknown-facility');
  });
});

describe('actors and tenants', () => {
  it('is for system tokens only: members and patients get 403, no token 401', async () => {
    for (const actor of ['member', 'patient'] as const) {
      const authorization = await as(practice, actor, 'mbr_alice');
      const read = await http()
        .get('/directory/member/mbr_alice')
        .set('authorization', authorization)
        .expect(403);
      expect(read.headers['content-type']).toContain('application/problem+json');
      expect(read.body.code).toBe('actor-not-allowed');
      const write = await http()
        .put('/directory/members/mbr_intruder')
        .set('authorization', authorization)
        .send({ displayName: 'Intruder', roleId: 'role_manager' })
        .expect(403);
      expect(write.body.code).toBe('actor-not-allowed');
      const imported = await http()
        .post('/directory/import')
        .set('authorization', authorization)
        .send(riverside(' (forged)'))
        .expect(403);
      expect(imported.body.code).toBe('actor-not-allowed');
    }
    const anonymous = await http().get('/directory/member/mbr_alice').expect(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    await http().post('/directory/import').send(riverside(' (forged)')).expect(401);
    await http()
      .get('/directory/member/mbr_intruder')
      .set('authorization', await as())
      .expect(404);
    const alice = await http()
      .get('/directory/member/mbr_alice')
      .set('authorization', await as())
      .expect(200);
    expect(alice.body.displayName).not.toContain('forged');
  });

  it("never reads another practice's entries, and writes only the caller's practice", async () => {
    const ours = await as();
    const theirs = await as(otherPractice);
    const before = (
      await http().get('/directory/member/mbr_alice').set('authorization', ours).expect(200)
    ).body;

    for (const path of ['member/mbr_alice', 'role/role_manager', `practice/${practice}`]) {
      const response = await http()
        .get(`/directory/${path}`)
        .set('authorization', theirs)
        .expect(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }

    // The same ids in practice B are entries of their own, at their own versions.
    const imported = await http()
      .post('/directory/import')
      .set('authorization', theirs)
      .send(riverside(' (B)'))
      .expect(200);
    expect(imported.body).toEqual({ written: ENTRIES.length, unchanged: 0 });
    const bAlice = await http()
      .get('/directory/member/mbr_alice')
      .set('authorization', theirs)
      .expect(200);
    expect(bAlice.body).toMatchObject({
      practiceId: otherPractice,
      displayName: 'Dr. Alice Moreau (B)',
      version: 1,
    });
    await http()
      .put('/directory/members/mbr_alice')
      .set('authorization', theirs)
      .send({ displayName: 'Alice in B', roleId: null, active: false })
      .expect(200);

    const after = await http().get('/directory/member/mbr_alice').set('authorization', ours);
    expect(after.body).toEqual(before);
    const events = await waitFor(
      async () => otherMembers.ofType(MemberChangedV1.type, 'mbr_alice'),
      (found) => found.some((event) => versionOf(event) === 2),
      { timeoutMs: 30000, description: "practice B's mbr_alice v2" },
    );
    expect(events.map((event) => event.data)).toEqual([
      expect.objectContaining({ practiceId: otherPractice, version: 1 }),
      expect.objectContaining({ practiceId: otherPractice, displayName: 'Alice in B', version: 2 }),
    ]);
    expect(otherMembers.invalid).toEqual([]);
    expect(
      observers.member.events.filter(
        (event) => event.practiceId !== practice || /\(B\)|in B/.test(JSON.stringify(event.data)),
      ),
    ).toEqual([]);
  });
});

describe('input rules', () => {
  it.each([
    ['GET', '/directory/member/bad:id'],
    ['GET', '/directory/member/has%20space'],
    ['PUT', '/directory/members/bad:id'],
    ['PUT', '/directory/members/has%20space'],
    ['PUT', '/directory/facilities/p1:fac'],
  ])('refuses the id in %s %s with invalid-id', async (method, path) => {
    const authorization = await as();
    const body = path.includes('facilities')
      ? { name: 'Somewhere' }
      : { displayName: 'Someone', roleId: 'role_staff' };
    const call =
      method === 'GET'
        ? http().get(path).set('authorization', authorization)
        : http().put(path).set('authorization', authorization).send(body);
    const response = await call.expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('invalid-id');
  });

  it.each<[string, string, object]>([
    ['an unknown field', '/directory/facilities/fac_x', { name: 'X', colour: 'red' }],
    [
      'a $-operator field',
      '/directory/members/mbr_x',
      { displayName: 'X', roleId: null, $set: {} },
    ],
    ['plan "gold"', '/directory/practice', { name: 'Riverside', plan: 'gold' }],
    ['a missing role', '/directory/members/mbr_x', { displayName: 'X' }],
  ])('refuses a single write with %s as validation-failed', async (_, path, body) => {
    const response = await http()
      .put(path)
      .set('authorization', await as())
      .send(body)
      .expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('validation-failed');
    expect(response.body.errors.length).toBeGreaterThan(0);
  });

  it.each<[string, (bundle: Bundle) => object]>([
    ['an unknown top-level field', (b) => ({ ...b, settings: {} })],
    ['an unknown field in an entry', (b) => ({ ...b, members: [{ ...b.members[0], email: 'x' }] })],
    [
      'a practice id of its own (the practice is the token’s)',
      (b) => ({ ...b, practice: { ...b.practice, practiceId: otherPractice } }),
    ],
    ['plan "gold"', (b) => ({ ...b, practice: { ...b.practice, plan: 'gold' } })],
    ['no practice', ({ practice: _practice, ...rest }) => rest],
    ['a null practice', (b) => ({ ...b, practice: null })],
    ['an entry id with a colon', (b) => ({ ...b, facilities: [{ id: 'a:b', name: 'Colon' }] })],
  ])('refuses a bundle with %s, and writes nothing', async (_, change) => {
    const fresh = uniqueName('prc_invalid');
    const authorization = await as(fresh);
    const response = await http()
      .post('/directory/import')
      .set('authorization', authorization)
      .send(change(riverside()))
      .expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('validation-failed');
    await http()
      .get(`/directory/practice/${fresh}`)
      .set('authorization', authorization)
      .expect(404);
  });
});
