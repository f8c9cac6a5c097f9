import {
  buildEnvelope,
  MessageGroupCreatedV1,
  MessageGroupDeletedV1,
  MessageGroupUpdatedV1,
  PhrMessagingPreferencesUpdatedV1,
  type EventDefinition,
} from '@gm/contracts';
import { testInfrastructure, uniqueName } from '@gm/testing';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { SettingsReplica } from './settings-replica.js';

let mongo: MongoClient;
let replica: SettingsReplica;
const practiceId = 'prc_1';

const envelope = <T extends { practiceId: string }>(definition: EventDefinition<T>, data: T) =>
  buildEnvelope(definition, data, {
    id: randomUUID(),
    source: '/tests',
    time: new Date().toISOString(),
    practiceId: data.practiceId,
    correlationId: 'c',
  });

const group = (version: number, name = 'Billing Team') => ({
  practiceId,
  groupId: 'grp_1',
  name,
  description: '',
  facilityId: null,
  patientCategoryId: null,
  recipientMode: 'specific-members' as const,
  members: [{ memberId: 'mbr_1', privilege: 'admin' as const }],
  version,
  changedAt: new Date().toISOString(),
});

beforeAll(async () => {
  mongo = await new MongoClient(testInfrastructure().mongoUri, { retryWrites: false }).connect();
  replica = new SettingsReplica(mongo.db(uniqueName('settings')));
  await replica.ensureIndexes();
});

afterAll(async () => {
  await mongo?.close();
});

it('keeps the newest state of a group whatever order its events arrive in', async () => {
  expect(await replica.apply(envelope(MessageGroupUpdatedV1, group(2, 'Billing')))).toBe('applied');
  expect(await replica.apply(envelope(MessageGroupCreatedV1, group(1)))).toBe('stale');
  expect(await replica.group(practiceId, 'grp_1')).toMatchObject({ name: 'Billing', version: 2 });
  expect((await replica.groupsOfPractice(practiceId)).map((g) => g.groupId)).toEqual(['grp_1']);
  expect(await replica.group('prc_other', 'grp_1')).toBeNull();
});

it('keeps a deleted group deleted when an older update arrives late', async () => {
  const deleted = {
    practiceId,
    groupId: 'grp_1',
    name: 'Billing',
    version: 4,
    changedAt: new Date().toISOString(),
  };
  expect(await replica.apply(envelope(MessageGroupDeletedV1, deleted))).toBe('applied');
  expect(await replica.apply(envelope(MessageGroupUpdatedV1, group(3, 'Late')))).toBe('stale');
  expect(await replica.group(practiceId, 'grp_1')).toBeNull();
  expect(await replica.groupsOfPractice(practiceId)).toEqual([]);
});

it('answers the defaults for a practice that never saved PHR preferences, then the saved ones', async () => {
  expect(await replica.phrPreferences('prc_new')).toMatchObject({
    allowPatientMessages: false,
    version: 0,
  });
  const saved = {
    practiceId: 'prc_new',
    allowPatientMessages: true,
    patientMessagePreference: 'groups-only' as const,
    memberRecipients: 'care-team' as const,
    excludedMemberIds: ['mbr_x'],
    version: 1,
    changedAt: new Date().toISOString(),
  };
  const event = envelope(PhrMessagingPreferencesUpdatedV1, saved);
  expect(await replica.apply(event)).toBe('applied');
  expect(await replica.phrPreferences('prc_new')).toEqual({
    practiceId: 'prc_new',
    allowPatientMessages: true,
    patientMessagePreference: 'groups-only',
    memberRecipients: 'care-team',
    excludedMemberIds: ['mbr_x'],
    version: 1,
  });
});
