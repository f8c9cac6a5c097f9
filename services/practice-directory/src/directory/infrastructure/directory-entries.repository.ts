import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import {
  isDuplicateKeyError,
  OutboxCollection,
  type DocumentLocks,
  type OutboxFields,
  type PendingEvent,
} from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { DirectoryKind, DirectoryRecords } from '../domain/directory-records.js';

interface EntryDocument<K extends DirectoryKind = DirectoryKind> extends Partial<OutboxFields> {
  /** `${practiceId}:${entityId}`: ids of different practices never collide. */
  _id: string;
  practiceId: string;
  state: DirectoryRecords[K];
  version: number;
}

export interface StoredEntry<K extends DirectoryKind> {
  state: DirectoryRecords[K];
  version: number;
}

export const DIRECTORY_COLLECTIONS: Record<DirectoryKind, string> = {
  practice: 'practices',
  facility: 'facilities',
  'patient-category': 'patient_categories',
  role: 'roles',
  member: 'members',
  patient: 'patients',
};

const key = (practiceId: string, entityId: string) => `${practiceId}:${entityId}`;

/** Directory entries, one document each, carrying their own outbox. */
@Injectable()
export class DirectoryEntriesRepository {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(DOCUMENT_LOCKS) private readonly locks: DocumentLocks,
  ) {}

  private collection<K extends DirectoryKind>(kind: K): Collection<EntryDocument<K>> {
    return this.connection.collection(DIRECTORY_COLLECTIONS[kind]) as unknown as Collection<
      EntryDocument<K>
    >;
  }

  async find<K extends DirectoryKind>(
    kind: K,
    practiceId: string,
    entityId: string,
  ): Promise<StoredEntry<K> | null> {
    const document = await this.collection(kind).findOne(
      { _id: key(practiceId, entityId) },
      { projection: { state: 1, version: 1 } },
    );
    return document
      ? { state: document.state as DirectoryRecords[K], version: document.version }
      : null;
  }

  async exists(kind: DirectoryKind, practiceId: string, entityId: string): Promise<boolean> {
    return (await this.find(kind, practiceId, entityId)) !== null;
  }

  /**
   * Writes the new state and its event in one document operation, if the
   * stored version is still `expectedVersion` (null: not stored yet).
   * Returns false when another write got there first.
   */
  async save<K extends DirectoryKind>(
    kind: K,
    practiceId: string,
    entityId: string,
    state: DirectoryRecords[K],
    version: number,
    expectedVersion: number | null,
    event: PendingEvent,
  ): Promise<boolean> {
    const entries = new OutboxCollection(
      this.collection(kind) as unknown as Collection<EntryDocument>,
      this.locks,
    );
    const _id = key(practiceId, entityId);
    if (expectedVersion === null) {
      try {
        await entries.insert({ _id, practiceId, state, version }, [event]);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    return entries.update(_id, { version: expectedVersion }, { $set: { state, version } }, [event]);
  }

  async ensureIndexes(): Promise<void> {
    for (const kind of Object.keys(DIRECTORY_COLLECTIONS) as DirectoryKind[]) {
      await this.collection(kind).createIndex({ _outboxPending: 1 });
      await this.collection(kind).createIndex({ practiceId: 1 });
    }
  }
}
