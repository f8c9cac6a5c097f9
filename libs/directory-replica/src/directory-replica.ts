import type {
  EventEnvelope,
  FacilityChangedV1,
  MemberChangedV1,
  PatientCategoryChangedV1,
  PatientChangedV1,
  PracticeChangedV1,
  RoleChangedV1,
} from '@gm/contracts';
import { UnprocessableEvent } from '@gm/messaging';
import type { Collection, Db } from 'mongodb';
import {
  DIRECTORY_ENTITIES,
  entityOfType,
  replicaId,
  type DirectoryEntity,
  type DirectoryEntityName,
} from './directory-entities.js';

export type ApplyOutcome = 'applied' | 'stale';

/** An entity's state: the event's data as-is, which includes `practiceId` and `version`. */
export interface EntityState {
  practiceId: string;
  version: number;
  [field: string]: unknown;
}

/** What a replica collection holds: the state under a tenant-scoped `_id`. */
export interface StoredState extends EntityState {
  _id: string;
}

/** Concurrent first inserts of one entity can make a newer version lose the insert race; it then retries. */
const MAX_UPSERT_ATTEMPTS = 3;

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

function withoutId<T>(document: StoredState): T {
  const { _id: _ignored, ...state } = document;
  return state as T;
}

const byId = (a: StoredState, b: StoredState): number =>
  a._id < b._id ? -1 : a._id > b._id ? 1 : 0;

/**
 * A service's local replica of the practice directory, built only from the
 * six directory state events (event-carried state transfer). Each event holds
 * the entity's full state and a per-entity version; `apply` keeps the highest
 * version it has seen, so it is safe to repeat and tolerates any order.
 * Nothing is ever deleted: deactivation is state (`active: false`).
 *
 * Storage: one collection per entity, `_id` = `${practiceId}:${entityId}`
 * (see `replicaId`), the event data as-is. Reads look documents up by `_id`
 * or by equality on `practiceId`, the filters FerretDB pushes down (ADR 0004).
 */
export class DirectoryReplica {
  private readonly collections: Record<DirectoryEntityName, Collection<StoredState>>;

  constructor(private readonly db: Db) {
    const collection = (name: DirectoryEntityName) =>
      db.collection<StoredState>(DIRECTORY_ENTITIES[name].collection);
    this.collections = {
      practices: collection('practices'),
      facilities: collection('facilities'),
      patientCategories: collection('patientCategories'),
      roles: collection('roles'),
      members: collection('members'),
      patients: collection('patients'),
    };
  }

  /** An index on `practiceId` in every collection (the per-practice listings and snapshots). */
  async ensureIndexes(): Promise<void> {
    await Promise.all(
      Object.values(this.collections).map((c) =>
        c.createIndex({ practiceId: 1 }, { name: 'practiceId_1' }),
      ),
    );
  }

  /** True for the six directory event types. */
  handles(type: string): boolean {
    return entityOfType(type) !== undefined;
  }

  /**
   * Version-checked upsert of the event's full state: 'applied' when it is
   * newer than what the replica holds (or the first), 'stale' when the
   * replica already holds this version or a newer one (nothing changes).
   * Throws UnprocessableEvent for a type that is not a directory event.
   */
  async apply(envelope: EventEnvelope): Promise<ApplyOutcome> {
    const entity = entityOfType(envelope.type);
    if (!entity) {
      throw new UnprocessableEvent(`${envelope.type} is not a directory event type`);
    }
    const state = stateOf(entity, envelope);
    const _id = replicaId(state.practiceId, String(state[entity.idField]));
    const collection = this.collectionOf(entity);
    return oneAtATime(`${this.db.databaseName}/${entity.collection}/${_id}`, () =>
      versionCheckedUpsert(collection, _id, state),
    );
  }

  practice(practiceId: string): Promise<PracticeChangedV1 | null> {
    return this.one('practices', practiceId, practiceId);
  }

  facility(practiceId: string, facilityId: string): Promise<FacilityChangedV1 | null> {
    return this.one('facilities', practiceId, facilityId);
  }

  patientCategory(
    practiceId: string,
    categoryId: string,
  ): Promise<PatientCategoryChangedV1 | null> {
    return this.one('patientCategories', practiceId, categoryId);
  }

  role(practiceId: string, roleId: string): Promise<RoleChangedV1 | null> {
    return this.one('roles', practiceId, roleId);
  }

  member(practiceId: string, memberId: string): Promise<MemberChangedV1 | null> {
    return this.one('members', practiceId, memberId);
  }

  /**
   * The members of this practice among `memberIds` (unknown ids are left out),
   * in the order asked, without duplicates. FerretDB 1.24 does not push
   * `_id: { $in }` down (it scans the collection), so these are parallel
   * lookups by `_id`, each of which it does push down.
   */
  async members(practiceId: string, memberIds: string[]): Promise<MemberChangedV1[]> {
    const found = await Promise.all(
      [...new Set(memberIds)].map((memberId) => this.member(practiceId, memberId)),
    );
    return found.filter((member): member is MemberChangedV1 => member !== null);
  }

  /** Every member of the practice, active or not, ordered by member id. */
  membersOfPractice(practiceId: string): Promise<MemberChangedV1[]> {
    return this.allOf<MemberChangedV1>('members', practiceId);
  }

  /**
   * The practice's patients whose in-house care team holds the member: an
   * equality on the array field, which FerretDB pushes down as containment
   * with the practice (ADR 0004), so the practice's patients are not read whole.
   */
  async patientsCaredForBy(practiceId: string, memberId: string): Promise<PatientChangedV1[]> {
    const documents = await this.collections.patients
      .find({ practiceId, careTeamMemberIds: memberId })
      .toArray();
    return documents.sort(byId).map((document) => withoutId<PatientChangedV1>(document));
  }

  patient(practiceId: string, patientId: string): Promise<PatientChangedV1 | null> {
    return this.one('patients', practiceId, patientId);
  }

  /**
   * The privileges an ACTIVE member holds through their role; an empty set
   * for an unknown or inactive member, a member without a role, or a role the
   * replica does not know (yet).
   */
  async privilegesOf(practiceId: string, memberId: string): Promise<ReadonlySet<string>> {
    const member = await this.member(practiceId, memberId);
    if (!member?.active || !member.roleId) return new Set<string>();
    const role = await this.role(practiceId, member.roleId);
    return new Set(role?.privileges ?? []);
  }

  /**
   * Everything the replica holds of one practice, per collection name, each
   * list ordered by `_id` and without internal fields: two replicas fed the
   * same events in any order have equal snapshots.
   */
  async snapshot(practiceId: string): Promise<Record<string, unknown[]>> {
    const names = Object.keys(this.collections) as DirectoryEntityName[];
    const lists = await Promise.all(names.map((name) => this.allOf(name, practiceId)));
    return Object.fromEntries(
      names.map((name, index) => [DIRECTORY_ENTITIES[name].collection, lists[index]]),
    );
  }

  private collectionOf(entity: DirectoryEntity): Collection<StoredState> {
    return this.db.collection<StoredState>(entity.collection);
  }

  private async one<T>(
    name: DirectoryEntityName,
    practiceId: string,
    entityId: string,
  ): Promise<T | null> {
    const document = await this.collections[name].findOne({ _id: replicaId(practiceId, entityId) });
    return document ? withoutId<T>(document) : null;
  }

  /** Equality on `practiceId` is pushed down; sorting is done here (FerretDB does not push sorts down). */
  private async allOf<T>(name: DirectoryEntityName, practiceId: string): Promise<T[]> {
    const documents = await this.collections[name].find({ practiceId }).toArray();
    return documents.sort(byId).map((document) => withoutId<T>(document));
  }
}

/**
 * The state to store, with the minimal checks an upsert needs. The consumer
 * has already validated the data against the contract; these guard direct
 * callers. Reasons name the rule, never the data.
 */
function stateOf(entity: DirectoryEntity, envelope: EventEnvelope): EntityState {
  const data = envelope.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UnprocessableEvent(`${envelope.type} carries no state object`);
  }
  const { _id: _ignored, ...state } = data as Record<string, unknown>;
  const { practiceId, version } = state;
  const entityId = state[entity.idField];
  if (typeof practiceId !== 'string' || practiceId === '') {
    throw new UnprocessableEvent(`${envelope.type} has no practiceId`);
  }
  if (practiceId !== envelope.practiceId) {
    throw new UnprocessableEvent(`${envelope.type} data is not of the envelope's practice`);
  }
  if (typeof entityId !== 'string' || entityId === '') {
    throw new UnprocessableEvent(`${envelope.type} has no ${entity.idField}`);
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new UnprocessableEvent(`${envelope.type} has no valid version`);
  }
  return { ...state, practiceId, version };
}

/**
 * Applies the state unless the replica holds this version or a newer one.
 * The filter matches only a lower version, so an upsert means "none yet" and
 * E11000 on `_id` means "a document exists that is not older", unless an
 * older version won a concurrent first insert: then it tries again.
 */
export async function versionCheckedUpsert(
  collection: Collection<StoredState>,
  _id: string,
  state: EntityState,
): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Full state replaces the document, so a field a newer version no longer carries is gone too.
      await collection.replaceOne({ _id, version: { $lt: state.version } }, state, {
        upsert: true,
      });
      return 'applied';
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const current = await collection.findOne({ _id }, { projection: { version: 1 } });
      if (current && typeof current.version === 'number' && current.version >= state.version) {
        return 'stale';
      }
      if (attempt >= MAX_UPSERT_ATTEMPTS) throw error;
    }
  }
}

/**
 * FerretDB 1.24 evaluates an update's filter, then writes the whole new
 * document by `_id` alone: two concurrent updates of one document can both
 * pass a version check and the older can land last. Writes to one document
 * are therefore serialised within this process. (MongoDB applies the filter
 * atomically; Kafka keys by entity id, so one entity's events reach one
 * consumer at a time.)
 */
const pending = new Map<string, Promise<unknown>>();

export async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = pending.get(key) ?? Promise.resolve();
  const current = previous.then(work, work);
  const settled = current.catch(() => undefined);
  pending.set(key, settled);
  try {
    return await current;
  } finally {
    if (pending.get(key) === settled) pending.delete(key);
  }
}
