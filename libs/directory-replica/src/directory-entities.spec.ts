import {
  buildEnvelope,
  MemberChangedV1,
  MessageGroupDeletedV1,
  TOPICS,
  type EventEnvelope,
} from '@gm/contracts';
import { UnprocessableEvent } from '@gm/messaging';
import type { Db } from 'mongodb';
import {
  DIRECTORY_ENTITIES,
  DIRECTORY_EVENT_TYPES,
  DIRECTORY_TOPICS,
  entityOfType,
  replicaId,
} from './directory-entities.js';
import { DirectoryReplica } from './directory-replica.js';

const meta = (practiceId: string) => ({
  id: 'evt-1',
  source: '/tests/directory-replica',
  time: '2026-11-25T10:00:00.000Z',
  practiceId,
  correlationId: 'corr-1',
});

const member = (practiceId = 'p1') =>
  buildEnvelope(
    MemberChangedV1,
    {
      practiceId,
      memberId: 'm1',
      displayName: 'Member One',
      roleId: null,
      active: true,
      version: 1,
      changedAt: '2026-11-25T10:00:00.000Z',
    },
    meta(practiceId),
  );

/** Checks that fail before any database access need no database. */
const untouchedDb = { collection: () => ({}) } as unknown as Db;

describe('directory entities', () => {
  it('subscribes to exactly the six gm.directory.* topics', () => {
    const directoryTopics = Object.values(TOPICS)
      .map((t) => t.name)
      .filter((name) => name.startsWith('gm.directory.'));
    expect(directoryTopics).toHaveLength(6);
    expect([...DIRECTORY_TOPICS].sort()).toEqual([...directoryTopics].sort());
  });

  it('maps each directory event type to its own collection, keyed by the event key field', () => {
    expect(
      Object.values(DIRECTORY_ENTITIES).map((e) => [e.definition.type, e.collection, e.idField]),
    ).toEqual([
      ['gm.directory.practice-changed.v1', 'directory_practices', 'practiceId'],
      ['gm.directory.facility-changed.v1', 'directory_facilities', 'facilityId'],
      ['gm.directory.patient-category-changed.v1', 'directory_patient_categories', 'categoryId'],
      ['gm.directory.role-changed.v1', 'directory_roles', 'roleId'],
      ['gm.directory.member-changed.v1', 'directory_members', 'memberId'],
      ['gm.directory.patient-changed.v1', 'directory_patients', 'patientId'],
    ]);
    expect(DIRECTORY_EVENT_TYPES).toHaveLength(6);
    for (const type of DIRECTORY_EVENT_TYPES)
      expect(entityOfType(type)?.definition.type).toBe(type);
  });

  it('knows no other event type', () => {
    expect(entityOfType(MessageGroupDeletedV1.type)).toBeUndefined();
    expect(entityOfType('gm.directory.member-changed.v2')).toBeUndefined();
  });

  it('scopes document ids by practice so that they never collide across practices', () => {
    expect(replicaId('p1', 'm1')).toBe('p1:m1');
    expect(replicaId('a:b', 'c')).not.toBe(replicaId('a', 'b:c'));
    expect(replicaId('p1', 'm1')).not.toBe(replicaId('p2', 'm1'));
  });
});

describe('DirectoryReplica without a database', () => {
  const replica = new DirectoryReplica(untouchedDb);

  it('handles the six directory event types and nothing else', () => {
    for (const type of DIRECTORY_EVENT_TYPES) expect(replica.handles(type)).toBe(true);
    expect(replica.handles(MessageGroupDeletedV1.type)).toBe(false);
    expect(replica.handles('')).toBe(false);
  });

  it('refuses a type that is not a directory event as unprocessable', async () => {
    const envelope = buildEnvelope(
      MessageGroupDeletedV1,
      {
        practiceId: 'p1',
        groupId: 'g1',
        name: 'Billing',
        version: 2,
        changedAt: '2026-11-25T10:00:00.000Z',
      },
      meta('p1'),
    );
    await expect(replica.apply(envelope)).rejects.toBeInstanceOf(UnprocessableEvent);
  });

  it.each([
    ['data of another practice than the envelope', { practiceId: 'p2' }],
    ['no entity id', { memberId: '' }],
    ['no version', { version: undefined }],
    ['a version that is not a positive integer', { version: 1.5 }],
  ])('refuses %s as unprocessable', async (_, change) => {
    const valid = member();
    const envelope: EventEnvelope = { ...valid, data: { ...valid.data, ...change } };
    await expect(replica.apply(envelope)).rejects.toBeInstanceOf(UnprocessableEvent);
  });
});
