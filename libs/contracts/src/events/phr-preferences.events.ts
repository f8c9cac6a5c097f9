import { defineEvent } from '../event-definition.js';
import { id, idList, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

export type PatientMessagePreference = 'groups-only' | 'members-only' | 'groups-and-members';
export type MemberRecipientScope = 'all-members' | 'care-team';

export interface PhrMessagingPreferencesUpdatedV1 {
  practiceId: string;
  /** "Allow patients to send messages from PHR". */
  allowPatientMessages: boolean;
  patientMessagePreference: PatientMessagePreference;
  /** Which members are listed when members are included. */
  memberRecipients: MemberRecipientScope;
  excludedMemberIds: string[];
  version: number;
  changedAt: string;
}

export const PhrMessagingPreferencesUpdatedV1 = defineEvent<PhrMessagingPreferencesUpdatedV1>({
  name: 'PhrMessagingPreferencesUpdated',
  type: 'gm.phr-messaging-preferences.updated.v1',
  version: 1,
  topic: TOPICS.phrPreferences,
  keyField: 'practiceId',
  description: "A practice's PHR messaging preferences changed; carries their full state.",
  schema: object({
    practiceId: id,
    allowPatientMessages: { type: 'boolean' },
    patientMessagePreference: oneOf('groups-only', 'members-only', 'groups-and-members'),
    memberRecipients: oneOf('all-members', 'care-team'),
    excludedMemberIds: idList,
    version,
    changedAt: timestamp,
  }),
});
