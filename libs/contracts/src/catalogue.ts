import type { EventDefinition } from './event-definition.js';
import * as accessAudit from './events/access-audit.events.js';
import * as analytics from './events/analytics.events.js';
import * as consistency from './events/consistency.events.js';
import * as directory from './events/directory.events.js';
import * as workflows from './events/group-workflow.events.js';
import * as groups from './events/message-group.events.js';
import * as patientMessages from './events/patient-message.events.js';
import * as preferences from './events/phr-preferences.events.js';
import * as notes from './events/thread-note.events.js';
import * as threads from './events/thread.events.js';

/** Every published event type, in one list: the codec, the AsyncAPI document and the fixtures follow it. */
export const EVENT_CATALOGUE: ReadonlyArray<EventDefinition<unknown>> = [
  directory.PracticeChangedV1,
  directory.FacilityChangedV1,
  directory.PatientCategoryChangedV1,
  directory.RoleChangedV1,
  directory.MemberChangedV1,
  directory.PatientChangedV1,
  groups.MessageGroupCreatedV1,
  groups.MessageGroupUpdatedV1,
  groups.MessageGroupDeletedV1,
  workflows.GroupWorkflowChangedV1,
  workflows.MemberOutOfOfficeChangedV1,
  preferences.PhrMessagingPreferencesUpdatedV1,
  patientMessages.MessageSentV1,
  threads.MessageRoutedV1,
  threads.MessageAssignedV1,
  threads.MessageAssignedV2,
  threads.MessageUnassignedV1,
  threads.MessageUnassignedV2,
  threads.ReplySentV1,
  threads.MessageTrashedV1,
  threads.MessageRestoredV1,
  threads.MessageRestoredV2,
  threads.MessageResponseOverdueV1,
  threads.AcknowledgementSentV1,
  threads.ThreadAudienceChangedV1,
  threads.ThreadAudienceChangedV2,
  notes.NoteAddedV1,
  accessAudit.AccessRecordedV1,
  accessAudit.AccessRecordedV2,
  consistency.ReactionsPublishedV1,
  analytics.ThreadFactV1,
] as ReadonlyArray<EventDefinition<unknown>>;

const byType = new Map(EVENT_CATALOGUE.map((definition) => [definition.type, definition]));

export function findEventDefinition(type: string): EventDefinition<unknown> | undefined {
  return byType.get(type);
}
