import {
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  RoleChangedV1,
  type EventDefinition,
} from '@gm/contracts';

/** One replicated entity: the event that carries its state and where it is kept. */
export interface DirectoryEntity {
  definition: EventDefinition<unknown>;
  /** The replica's collection for this entity. */
  collection: string;
  /** Data field holding the entity id (the event's key field). */
  idField: string;
}

const entity = <T>(definition: EventDefinition<T>, collection: string): DirectoryEntity => ({
  definition: definition as EventDefinition<unknown>,
  collection,
  idField: definition.keyField,
});

/** The six directory entities, keyed by a short name. */
export const DIRECTORY_ENTITIES = {
  practices: entity(PracticeChangedV1, 'directory_practices'),
  facilities: entity(FacilityChangedV1, 'directory_facilities'),
  patientCategories: entity(PatientCategoryChangedV1, 'directory_patient_categories'),
  roles: entity(RoleChangedV1, 'directory_roles'),
  members: entity(MemberChangedV1, 'directory_members'),
  patients: entity(PatientChangedV1, 'directory_patients'),
} as const satisfies Record<string, DirectoryEntity>;

export type DirectoryEntityName = keyof typeof DIRECTORY_ENTITIES;

const ENTITY_LIST: readonly DirectoryEntity[] = Object.values(DIRECTORY_ENTITIES);

const BY_TYPE: ReadonlyMap<string, DirectoryEntity> = new Map(
  ENTITY_LIST.map((e) => [e.definition.type, e]),
);

/** The six `gm.directory.*` topics a service subscribes to for its replica. */
export const DIRECTORY_TOPICS: string[] = ENTITY_LIST.map((e) => e.definition.topic.name);

/** The six directory event types (`gm.directory.*-changed.v1`). */
export const DIRECTORY_EVENT_TYPES: readonly string[] = ENTITY_LIST.map((e) => e.definition.type);

/** The entity a directory event type replicates, or undefined for any other type. */
export function entityOfType(type: string): DirectoryEntity | undefined {
  return BY_TYPE.get(type);
}

/**
 * Tenant-scoped document id `${practiceId}:${entityId}`. The practice id is
 * URI-encoded (a no-op for ordinary ids), so it never contains the separator
 * and ids of different practices can never collide, whatever characters they hold.
 */
export function replicaId(practiceId: string, entityId: string): string {
  return `${encodeURIComponent(practiceId)}:${entityId}`;
}
