import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import { described, id, idList, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/** Closed, both: they decide whom a patient may write to. */
const patientMessagePreference = oneOf('groups-only', 'members-only', 'groups-and-members');
const memberRecipients = oneOf('all-members', 'care-team');

export const PhrMessagingPreferencesUpdatedV1 = defineEvent({
  name: 'PhrMessagingPreferencesUpdated',
  type: 'gm.phr-messaging-preferences.updated.v1',
  version: 1,
  topic: TOPICS.phrPreferences,
  keyField: 'practiceId',
  description: "A practice's PHR messaging preferences changed; carries their full state.",
  schema: object({
    practiceId: id,
    allowPatientMessages: Type.Boolean({
      description: '"Allow patients to send messages from PHR".',
    }),
    patientMessagePreference,
    memberRecipients: described(
      memberRecipients,
      'Which members are listed when members are included.',
    ),
    excludedMemberIds: idList,
    version,
    changedAt: timestamp,
  }),
});
export type PhrMessagingPreferencesUpdatedV1 = EventData<typeof PhrMessagingPreferencesUpdatedV1>;
export type PatientMessagePreference = PhrMessagingPreferencesUpdatedV1['patientMessagePreference'];
export type MemberRecipientScope = PhrMessagingPreferencesUpdatedV1['memberRecipients'];
