/**
 * The directory replica against the real MongoDB-protocol store (FerretDB on
 * PostgreSQL in dev/CI): version-checked upserts that are safe to repeat and
 * tolerate any order, tenant isolation, privileges from roles, and snapshots
 * that do not depend on the order events arrived in.
 */
import {
  buildEnvelope,
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  RoleChangedV1,
  type EventDefinition,
  type EventEnvelope,
} from '@gm/contracts';
import { testInfrastructure, uniqueName } from '@gm/testing';
import { MongooseModule } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { MongoClient, type Db } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { DIRECTORY_ENTITIES, replicaId } from './directory-entities.js';
import { DirectoryReplica } from './directory-replica.js';
import { DirectoryReplicaModule } from './directory-replica.module.js';

const infra = testInfrastructure();
const CHANGED_AT = '2026-11-25T10:00:00.000Z';

let mongo: MongoClient;
let db: Db;
let replica: DirectoryReplica;
const databases: Db[] = [];

function event<T extends { practiceId: string }>(
  definition: EventDefinition<T>,
  data: T,
): EventEnvelope<T> {
  return buildEnvelope(definition, data, {
    id: randomUUID(),
    source: '/tests/directory-replica',
    time: CHANGED_AT,
    practiceId: data.practiceId,
    correlationId: randomUUID(),
  });
}

const practice = (practiceId: string, version = 1, plan: 'free' | 'paid' = 'paid') =>
  event(PracticeChangedV1, {
    practiceId,
    name: `Practice ${practiceId}`,
    plan,
    version,
    changedAt: CHANGED_AT,
  });

const facility = (practiceId: string, facilityId: string, version = 1, active = true) =>
  event(FacilityChangedV1, {
    practiceId,
    facilityId,
    name: `Facility ${facilityId}`,
    active,
    version,
    changedAt: CHANGED_AT,
  });

const category = (practiceId: string, categoryId: string, version = 1) =>
  event(PatientCategoryChangedV1, {
    practiceId,
    categoryId,
    name: `Category ${categoryId}`,
    active: true,
    version,
    changedAt: CHANGED_AT,
  });

const role = (practiceId: string, roleId: string, privileges: string[], version = 1) =>
  event(RoleChangedV1, {
    practiceId,
    roleId,
    name: `Role ${roleId}`,
    privileges,
    version,
    changedAt: CHANGED_AT,
  });

const member = (
  practiceId: string,
  memberId: string,
  version = 1,
  fields: { roleId?: string | null; active?: boolean; displayName?: string } = {},
) =>
  event(MemberChangedV1, {
    practiceId,
    memberId,
    displayName: fields.displayName ?? `Member ${memberId} v${version}`,
    roleId: fields.roleId === undefined ? null : fields.roleId,
    active: fields.active ?? true,
    version,
    changedAt: CHANGED_AT,
  });

const patient = (practiceId: string, patientId: string, version = 1, careTeam: string[] = []) =>
  event(PatientChangedV1, {
    practiceId,
    patientId,
    displayName: `Patient ${patientId}`,
    facilityId: 'f1',
    categoryIds: ['c1'],
    careTeamMemberIds: careTeam,
    active: true,
    version,
    changedAt: CHANGED_AT,
  });

async function applyAll(target: DirectoryReplica, envelopes: EventEnvelope[]) {
  const outcomes: string[] = [];
  for (const envelope of envelopes) outcomes.push(await target.apply(envelope));
  return outcomes;
}

const newDatabase = (prefix: string): Db => {
  const created = mongo.db(uniqueName(prefix));
  databases.push(created);
  return created;
};

beforeAll(async () => {
  mongo = await new MongoClient(infra.mongoUri, { retryWrites: false }).connect();
  db = newDatabase('replica');
  replica = new DirectoryReplica(db);
  await replica.ensureIndexes();
});

afterAll(async () => {
  for (const database of databases) await database.dropDatabase().catch(() => undefined);
  await mongo?.close();
});

it('applies each of the six directory event types and reads the state back', async () => {
  const p = uniqueName('prc');
  const events = [
    practice(p),
    facility(p, 'f1'),
    category(p, 'c1'),
    role(p, 'r1', ['settings.phr-settings']),
    member(p, 'm1', 1, { roleId: 'r1' }),
    patient(p, 'pt1', 1, ['m1']),
  ];
  expect(await applyAll(replica, events)).toEqual(Array(6).fill('applied'));

  expect(await replica.practice(p)).toEqual(events[0]!.data);
  expect(await replica.facility(p, 'f1')).toEqual(events[1]!.data);
  expect(await replica.patientCategory(p, 'c1')).toEqual(events[2]!.data);
  expect(await replica.role(p, 'r1')).toEqual(events[3]!.data);
  expect(await replica.member(p, 'm1')).toEqual(events[4]!.data);
  expect(await replica.patient(p, 'pt1')).toEqual(events[5]!.data);

  // Stored under the tenant-scoped id, data as-is (version included).
  const stored = await db.collection('directory_members').findOne({ _id: `${p}:m1` as never });
  expect(stored).toEqual({ _id: `${p}:m1`, ...events[4]!.data });
  expect(await replica.member(p, 'unknown')).toBeNull();
  expect(await replica.practice(uniqueName('prc'))).toBeNull();
});

it('ignores an older version arriving after a newer one', async () => {
  const p = uniqueName('prc');
  await replica.apply(member(p, 'm1', 2, { displayName: 'Newer' }));
  expect(await replica.apply(member(p, 'm1', 1, { displayName: 'Older' }))).toBe('stale');
  expect(await replica.member(p, 'm1')).toMatchObject({ version: 2, displayName: 'Newer' });
});

it('treats the same event applied twice as stale the second time, state unchanged', async () => {
  const p = uniqueName('prc');
  const envelope = role(p, 'r1', ['audit.read']);
  expect(await replica.apply(envelope)).toBe('applied');
  expect(await replica.apply(envelope)).toBe('stale');
  expect(await replica.role(p, 'r1')).toEqual(envelope.data);
  expect(await db.collection('directory_roles').countDocuments({ practiceId: p })).toBe(1);
});

it('ends at the newest version whatever order the versions arrive in (v3, v1, v2)', async () => {
  const p = uniqueName('prc');
  const [v1, v2, v3] = [1, 2, 3].map((v) => facility(p, 'f1', v, v !== 3));
  expect(await applyAll(replica, [v3!, v1!, v2!])).toEqual(['applied', 'stale', 'stale']);
  expect(await replica.facility(p, 'f1')).toEqual(v3!.data);
});

it('replaces the whole state with a newer version (nothing of the older one lingers)', async () => {
  const p = uniqueName('prc');
  const older = member(p, 'm1', 1);
  // v1 schemas accept unknown properties: a field a later version no longer carries.
  await replica.apply({ ...older, data: { ...older.data, nickname: 'Doc' } });
  expect(await replica.member(p, 'm1')).toMatchObject({ nickname: 'Doc' });
  await replica.apply(member(p, 'm1', 2));
  expect(await replica.member(p, 'm1')).toEqual(member(p, 'm1', 2).data);
});

it('keeps a deactivated member (deactivation is state, never a delete)', async () => {
  const p = uniqueName('prc');
  await replica.apply(member(p, 'm1', 1));
  await replica.apply(member(p, 'm1', 2, { active: false }));
  expect(await replica.member(p, 'm1')).toMatchObject({ active: false, version: 2 });
  expect(await replica.membersOfPractice(p)).toHaveLength(1);
});

it('converges when versions of one entity are applied concurrently in one process', async () => {
  const p = uniqueName('prc');
  // Unserialised, this loses updates on FerretDB 1.24 (an older version's write lands last)
  // and a newer first insert can hit E11000 from an older one's.
  const sameDb = new DirectoryReplica(db);
  const patientIds = Array.from({ length: 20 }, (_, i) => `pt${i}`);
  const versions = [1, 2, 3, 4, 5, 6];
  await Promise.all(
    patientIds.flatMap((id) =>
      versions.map((v) => (v % 2 ? replica : sameDb).apply(patient(p, id, v))),
    ),
  );
  for (const id of patientIds) {
    expect(await replica.patient(p, id)).toEqual(patient(p, id, 6).data);
  }
});

it('keeps practices isolated: the same ids in two practices are two documents', async () => {
  const [p1, p2] = [uniqueName('prc'), uniqueName('prc')];
  await applyAll(replica, [
    member(p1, 'm1', 1, { displayName: 'In practice one' }),
    member(p1, 'm2', 1),
    member(p2, 'm1', 5, { displayName: 'In practice two' }),
    role(p1, 'r1', ['audit.read']),
    role(p2, 'r1', []),
  ]);

  const members = db.collection('directory_members');
  expect(await members.countDocuments({ _id: { $in: [`${p1}:m1`, `${p2}:m1`] } as never })).toBe(2);
  expect(await replica.member(p1, 'm1')).toMatchObject({ practiceId: p1, version: 1 });
  expect(await replica.member(p2, 'm1')).toMatchObject({ practiceId: p2, version: 5 });
  expect((await replica.membersOfPractice(p1)).map((m) => m.memberId)).toEqual(['m1', 'm2']);
  expect((await replica.membersOfPractice(p2)).map((m) => m.memberId)).toEqual(['m1']);
  expect(await replica.member(p2, 'm2')).toBeNull();
  expect((await replica.role(p2, 'r1'))?.privileges).toEqual([]);

  const snapshot = await replica.snapshot(p2);
  expect(snapshot['directory_members']).toEqual([
    member(p2, 'm1', 5, { displayName: 'In practice two' }).data,
  ]);
  expect(snapshot['directory_roles']).toHaveLength(1);
});

describe('privilegesOf', () => {
  const p = uniqueName('prc');

  beforeAll(async () => {
    await applyAll(replica, [
      role(p, 'admin', ['settings.messages.practice-access', 'settings.phr-settings']),
      member(p, 'active', 1, { roleId: 'admin' }),
      member(p, 'inactive', 1, { roleId: 'admin', active: false }),
      member(p, 'orphan', 1, { roleId: 'no-such-role' }),
      member(p, 'no-role', 1, { roleId: null }),
    ]);
  });

  it("gives an active member their role's privileges", async () => {
    expect([...(await replica.privilegesOf(p, 'active'))].sort()).toEqual([
      'settings.messages.practice-access',
      'settings.phr-settings',
    ]);
  });

  it('gives nothing to an inactive member, a member of an unknown role or without role, or an unknown member', async () => {
    expect((await replica.privilegesOf(p, 'inactive')).size).toBe(0);
    expect((await replica.privilegesOf(p, 'orphan')).size).toBe(0);
    expect((await replica.privilegesOf(p, 'no-role')).size).toBe(0);
    expect((await replica.privilegesOf(p, 'nobody')).size).toBe(0);
    expect((await replica.privilegesOf(uniqueName('prc'), 'active')).size).toBe(0);
  });

  it('drops a privilege when a newer version of the role revokes it', async () => {
    const q = uniqueName('prc');
    await applyAll(replica, [
      role(q, 'r', ['settings.messages.practice-access', 'audit.read'], 1),
      member(q, 'm', 1, { roleId: 'r' }),
    ]);
    expect((await replica.privilegesOf(q, 'm')).has('audit.read')).toBe(true);
    await replica.apply(role(q, 'r', ['settings.messages.practice-access'], 2));
    const privileges = await replica.privilegesOf(q, 'm');
    expect(privileges.has('audit.read')).toBe(false);
    expect(privileges.has('settings.messages.practice-access')).toBe(true);
  });

  it('follows a member being deactivated', async () => {
    const q = uniqueName('prc');
    await applyAll(replica, [role(q, 'r', ['audit.read']), member(q, 'm', 1, { roleId: 'r' })]);
    expect((await replica.privilegesOf(q, 'm')).size).toBe(1);
    await replica.apply(member(q, 'm', 2, { roleId: 'r', active: false }));
    expect((await replica.privilegesOf(q, 'm')).size).toBe(0);
  });
});

it('members([...]) returns only the existing members of that practice', async () => {
  const [p, other] = [uniqueName('prc'), uniqueName('prc')];
  await applyAll(replica, [
    member(p, 'a'),
    member(p, 'b', 1, { active: false }),
    member(p, 'c'),
    member(other, 'd'),
  ]);
  const found = await replica.members(p, ['c', 'a', 'unknown', 'd', 'a', 'b']);
  expect(found.map((m) => m.memberId)).toEqual(['c', 'a', 'b']);
  expect(found.every((m) => m.practiceId === p)).toBe(true);
  expect(await replica.members(p, [])).toEqual([]);
});

it("patientsCaredForBy lists the practice's patients whose care team holds the member now", async () => {
  const [p, other] = [uniqueName('prc'), uniqueName('prc')];
  await applyAll(replica, [
    patient(p, 'p1', 1, ['m1']),
    patient(p, 'p2', 1, ['m2', 'm1']),
    patient(p, 'p3', 1, ['m2']),
    patient(p, 'p4', 1, ['m1']),
    patient(p, 'p4', 2, ['m2']), // m1 left p4's care team
    patient(other, 'p5', 1, ['m1']),
  ]);
  const caredFor = await replica.patientsCaredForBy(p, 'm1');
  expect(caredFor.map((x) => x.patientId)).toEqual(['p1', 'p2']);
  expect(await replica.patientsCaredForBy(p, 'nobody')).toEqual([]);
});

it('gives equal snapshots for two replicas fed the same events in different orders', async () => {
  const p = uniqueName('prc');
  const events = [
    practice(p, 1, 'free'),
    practice(p, 2, 'paid'),
    facility(p, 'f1', 1),
    facility(p, 'f1', 2, false),
    facility(p, 'f2', 1),
    category(p, 'c1', 1),
    category(p, 'c1', 3),
    role(p, 'r1', ['audit.read'], 1),
    role(p, 'r1', [], 2),
    member(p, 'm2', 1, { roleId: 'r1' }),
    member(p, 'm1', 1),
    member(p, 'm1', 2, { roleId: 'r1' }),
    member(p, 'm1', 3, { active: false }),
    patient(p, 'pt1', 1, ['m1']),
    patient(p, 'pt1', 2, ['m1', 'm2']),
  ];
  const reversedWithDuplicates = [...events].reverse().concat(events.slice(0, 5));
  const other = new DirectoryReplica(newDatabase('replica_rebuilt'));
  await other.ensureIndexes();

  await applyAll(replica, events);
  await applyAll(other, reversedWithDuplicates);

  const live = await replica.snapshot(p);
  expect(await other.snapshot(p)).toEqual(live);
  expect(Object.keys(live).sort()).toEqual(
    Object.values(DIRECTORY_ENTITIES)
      .map((e) => e.collection)
      .sort(),
  );
  expect(live['directory_members']).toEqual([
    member(p, 'm1', 3, { active: false }).data,
    member(p, 'm2', 1, { roleId: 'r1' }).data,
  ]);
  expect(live['directory_practices']).toEqual([practice(p, 2, 'paid').data]);
  expect(live['directory_facilities']).toHaveLength(2);
  for (const list of Object.values(live)) {
    for (const document of list) expect(document).not.toHaveProperty('_id');
  }
  // Nothing of another practice.
  expect(Object.values(await other.snapshot(uniqueName('prc'))).flat()).toEqual([]);
});

it('indexes every collection on practiceId', async () => {
  for (const { collection } of Object.values(DIRECTORY_ENTITIES)) {
    const indexes = await db.collection(collection).listIndexes().toArray();
    expect(indexes.map((i) => i.key)).toContainEqual({ practiceId: 1 });
  }
});

it('is provided by DirectoryReplicaModule on the default mongoose connection, indexes created on init', async () => {
  const database = newDatabase('replica_nest');
  const moduleRef = await Test.createTestingModule({
    imports: [
      MongooseModule.forRoot(infra.mongoUri, {
        dbName: database.databaseName,
        retryWrites: false,
        serverSelectionTimeoutMS: 5000,
      }),
      DirectoryReplicaModule.forRoot(),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    const provided = app.get(DirectoryReplica);
    const p = uniqueName('prc');
    expect(await provided.apply(member(p, 'm1'))).toBe('applied');
    expect(
      await database.collection('directory_members').findOne({ _id: replicaId(p, 'm1') as never }),
    ).toMatchObject({ memberId: 'm1' });
    const indexes = await database.collection('directory_patients').listIndexes().toArray();
    expect(indexes.map((i) => i.key)).toContainEqual({ practiceId: 1 });
  } finally {
    await app.close();
  }
});
