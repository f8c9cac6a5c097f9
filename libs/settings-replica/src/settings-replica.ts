import {
  MessageGroupCreatedV1,
  MessageGroupDeletedV1,
  MessageGroupUpdatedV1,
  PhrMessagingPreferencesUpdatedV1,
  TOPICS,
  type EventEnvelope,
  type MessageGroupStateV1,
  type PhrMessagingPreferencesUpdatedV1 as PreferencesState,
} from '@gm/contracts';
import {
  oneAtATime,
  versionCheckedUpsert,
  type ApplyOutcome,
  type StoredState,
} from '@gm/directory-replica';
import { UnprocessableEvent } from '@gm/messaging';
import type { Collection, Db } from 'mongodb';

export const SETTINGS_TOPICS: string[] = [TOPICS.messageGroups.name, TOPICS.phrPreferences.name];

/**
 * Preferences of a practice that never saved any (ADR 0007): messaging off.
 * Part of the contract: consumers read the absence of an event this way.
 */
export const DEFAULT_PHR_MESSAGING: Omit<PreferencesState, 'practiceId' | 'changedAt'> = {
  allowPatientMessages: false,
  patientMessagePreference: 'members-only',
  memberRecipients: 'all-members',
  excludedMemberIds: [],
  version: 0,
};

type GroupDocument = StoredState & Partial<MessageGroupStateV1> & { deleted: boolean };

const GROUP_TYPES = new Set([
  MessageGroupCreatedV1.type,
  MessageGroupUpdatedV1.type,
  MessageGroupDeletedV1.type,
]);

/**
 * The message groups and PHR messaging preferences of every practice, as
 * their owners published them. Version-checked like the directory replica;
 * a deleted group stays as a tombstone so an older Updated arriving late
 * cannot bring it back.
 */
/** A practice's groups, read together (its listing and a member's groups). */
const PRACTICE_INDEX = { practiceId: 1 } as const;

export class SettingsReplica {
  private readonly groups: Collection<GroupDocument>;
  private readonly preferences: Collection<StoredState>;

  constructor(private readonly db: Db) {
    this.groups = db.collection<GroupDocument>('settings_message_groups');
    this.preferences = db.collection<StoredState>('settings_phr_preferences');
  }

  async ensureIndexes(): Promise<void> {
    await this.groups.createIndex(PRACTICE_INDEX);
  }

  handles(type: string): boolean {
    return GROUP_TYPES.has(type) || type === PhrMessagingPreferencesUpdatedV1.type;
  }

  async apply(envelope: EventEnvelope): Promise<ApplyOutcome> {
    const data = envelope.data as Record<string, unknown> & { practiceId: string; version: number };
    if (envelope.type === PhrMessagingPreferencesUpdatedV1.type) {
      const _id = data.practiceId;
      return oneAtATime(`${this.db.databaseName}/prefs/${_id}`, () =>
        versionCheckedUpsert(this.preferences, _id, { ...data }),
      );
    }
    if (!GROUP_TYPES.has(envelope.type))
      throw new UnprocessableEvent(`${envelope.type} is not a settings event`);
    const _id = `${data.practiceId}:${String(data.groupId)}`;
    const state = { ...data, deleted: envelope.type === MessageGroupDeletedV1.type };
    return oneAtATime(`${this.db.databaseName}/groups/${_id}`, () =>
      versionCheckedUpsert(this.groups as unknown as Collection<StoredState>, _id, state),
    );
  }

  /** A live group of this practice, or null (unknown, deleted, or another practice's). */
  async group(practiceId: string, groupId: string): Promise<MessageGroupStateV1 | null> {
    const document = await this.groups.findOne({ _id: `${practiceId}:${groupId}` });
    return document && !document.deleted ? toGroup(document) : null;
  }

  /** The practice's live groups (a practice has tens of them), by name. */
  async groupsOfPractice(practiceId: string): Promise<MessageGroupStateV1[]> {
    // Equality on the indexed field alone, hinted (ADR 0015): FerretDB reads a two-field filter whole.
    const documents = await this.groups.find({ practiceId }).hint(PRACTICE_INDEX).toArray();
    return documents
      .filter((document) => !document.deleted)
      .map(toGroup)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The practice's PHR messaging preferences, or the defaults (version 0) if it never saved any. */
  async phrPreferences(practiceId: string): Promise<Omit<PreferencesState, 'changedAt'>> {
    const document = await this.preferences.findOne({ _id: practiceId });
    if (!document) return { practiceId, ...DEFAULT_PHR_MESSAGING };
    const { _id, changedAt, ...state } = document as StoredState & { changedAt?: string };
    void _id;
    void changedAt;
    return state as unknown as Omit<PreferencesState, 'changedAt'>;
  }
}

function toGroup(document: GroupDocument): MessageGroupStateV1 {
  const { _id, deleted, ...state } = document;
  void _id;
  void deleted;
  return state as unknown as MessageGroupStateV1;
}
