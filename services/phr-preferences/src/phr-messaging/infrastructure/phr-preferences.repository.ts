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
import type { PhrMessagingPreferences } from '../domain/phr-preferences.js';

export const PHR_PREFERENCES_COLLECTION = 'phr_preferences';

interface PreferencesDocument extends Partial<OutboxFields> {
  /** The practice id: one document per practice. */
  _id: string;
  state: PhrMessagingPreferences;
  version: number;
}

@Injectable()
export class PhrPreferencesRepository {
  private readonly preferences: Collection<PreferencesDocument>;
  private readonly writes: OutboxCollection<PreferencesDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(DOCUMENT_LOCKS) locks: DocumentLocks,
  ) {
    this.preferences = connection.collection(
      PHR_PREFERENCES_COLLECTION,
    ) as unknown as Collection<PreferencesDocument>;
    this.writes = new OutboxCollection(this.preferences, locks);
  }

  async ensureIndexes(): Promise<void> {
    await this.preferences.createIndex({ _outboxPending: 1 });
  }

  async find(
    practiceId: string,
  ): Promise<{ state: PhrMessagingPreferences; version: number } | null> {
    const document = await this.preferences.findOne(
      { _id: practiceId },
      { projection: { state: 1, version: 1 } },
    );
    return document ? { state: document.state, version: document.version } : null;
  }

  /** Stores the next version with its event, if the stored one is still `expectedVersion` (0: none yet). */
  async save(
    practiceId: string,
    state: PhrMessagingPreferences,
    expectedVersion: number,
    event: PendingEvent,
  ): Promise<boolean> {
    const version = expectedVersion + 1;
    if (expectedVersion === 0) {
      try {
        await this.writes.insert({ _id: practiceId, state, version }, [event]);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    return this.writes.update(
      practiceId,
      { version: expectedVersion },
      { $set: { state, version } },
      [event],
    );
  }
}
