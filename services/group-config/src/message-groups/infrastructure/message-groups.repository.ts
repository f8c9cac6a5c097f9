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
import { groupNameKey, type MessageGroupState } from '../domain/message-group.js';
import { MessageGroupRuleViolation } from '../domain/message-group-errors.js';

export const MESSAGE_GROUPS_COLLECTION = 'message_groups';

interface MessageGroupDocument extends Partial<OutboxFields> {
  _id: string;
  practiceId: string;
  /**
   * Unique: `${practiceId}|${normalised name}`. The unique index, not a
   * pre-check, decides between concurrent creates. A deleted group frees its
   * name by holding `deleted|${groupId}` instead.
   */
  nameKey: string;
  deleted: boolean;
  state: MessageGroupState;
  version: number;
}

export interface StoredGroup {
  state: MessageGroupState;
  version: number;
}

const nameTaken = (name: string) =>
  new MessageGroupRuleViolation(
    'group-name-taken',
    `a group named "${name}" already exists`,
    'conflict',
  );

@Injectable()
export class MessageGroupsRepository {
  private readonly groups: Collection<MessageGroupDocument>;
  private readonly writes: OutboxCollection<MessageGroupDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(DOCUMENT_LOCKS) locks: DocumentLocks,
  ) {
    this.groups = connection.collection(
      MESSAGE_GROUPS_COLLECTION,
    ) as unknown as Collection<MessageGroupDocument>;
    this.writes = new OutboxCollection(this.groups, locks);
  }

  async ensureIndexes(): Promise<void> {
    await this.groups.createIndex({ nameKey: 1 }, { unique: true });
    await this.groups.createIndex({ practiceId: 1 });
    await this.groups.createIndex({ _outboxPending: 1 });
  }

  /** A live group of this practice; another practice's group is as absent as a missing one. */
  async find(practiceId: string, groupId: string): Promise<StoredGroup | null> {
    const document = await this.groups.findOne({ _id: groupId });
    if (!document || document.practiceId !== practiceId || document.deleted) return null;
    return { state: document.state, version: document.version };
  }

  async list(practiceId: string): Promise<StoredGroup[]> {
    const documents = await this.groups
      .find({ practiceId, deleted: false }, { projection: { state: 1, version: 1 } })
      .toArray();
    return documents
      .map(({ state, version }) => ({ state, version }))
      .sort((a, b) => a.state.name.localeCompare(b.state.name));
  }

  async insert(state: MessageGroupState, event: PendingEvent): Promise<void> {
    try {
      await this.writes.insert(
        {
          _id: state.groupId,
          practiceId: state.practiceId,
          nameKey: nameKeyOf(state),
          deleted: false,
          state,
          version: 1,
        },
        [event],
      );
    } catch (error) {
      if (isDuplicateKeyError(error)) throw nameTaken(state.name);
      throw error;
    }
  }

  /** Replaces the state if the stored version is still `expectedVersion`; false if it moved on. */
  async update(
    state: MessageGroupState,
    expectedVersion: number,
    event: PendingEvent,
  ): Promise<boolean> {
    try {
      return await this.writes.update(
        state.groupId,
        { version: expectedVersion, deleted: false },
        { $set: { state, nameKey: nameKeyOf(state), version: expectedVersion + 1 } },
        [event],
      );
    } catch (error) {
      if (isDuplicateKeyError(error)) throw nameTaken(state.name);
      throw error;
    }
  }

  /** Soft delete: the document stays to carry its outbox; its name is free again. */
  async markDeleted(
    groupId: string,
    expectedVersion: number,
    event: PendingEvent,
  ): Promise<boolean> {
    return this.writes.update(
      groupId,
      { version: expectedVersion, deleted: false },
      { $set: { deleted: true, nameKey: `deleted|${groupId}`, version: expectedVersion + 1 } },
      [event],
    );
  }
}

const nameKeyOf = (state: MessageGroupState) => `${state.practiceId}|${groupNameKey(state.name)}`;
