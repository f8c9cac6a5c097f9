import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../event-definition.js';
import {
  described,
  id,
  idList,
  nullableId,
  object,
  oneOf,
  timestamp,
  version,
} from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * Directory state events: each carries the entity's full current state and a
 * version that grows with every change, so replicas apply them with a
 * version-checked upsert and ignore anything older than what they hold.
 */

const stateVersion = described(
  version,
  'Grows with every change of the entity: a replica keeps the highest it has seen and ignores older ones.',
);
const name = Type.String({ minLength: 1 });
const active = Type.Boolean({ description: 'false: deactivated.' });

/** Closed: features are gated on the plan, so a reader must know what a plan grants. */
const subscriptionPlan = described(oneOf('free', 'paid'), "The practice's subscription plan.");
export type SubscriptionPlan = PracticeChangedV1['plan'];

export const PracticeChangedV1 = defineEvent({
  name: 'PracticeChanged',
  type: 'gm.directory.practice-changed.v1',
  version: 1,
  topic: TOPICS.directoryPractices,
  keyField: 'practiceId',
  description: 'A practice was imported or changed; carries its full state, including its plan.',
  schema: object({
    practiceId: id,
    name,
    plan: subscriptionPlan,
    version: stateVersion,
    changedAt: timestamp,
  }),
});
export type PracticeChangedV1 = EventData<typeof PracticeChangedV1>;

export const FacilityChangedV1 = defineEvent({
  name: 'FacilityChanged',
  type: 'gm.directory.facility-changed.v1',
  version: 1,
  topic: TOPICS.directoryFacilities,
  keyField: 'facilityId',
  description: 'A facility of a practice was imported or changed; carries its full state.',
  schema: object({
    practiceId: id,
    facilityId: id,
    name,
    active,
    version: stateVersion,
    changedAt: timestamp,
  }),
});
export type FacilityChangedV1 = EventData<typeof FacilityChangedV1>;

export const PatientCategoryChangedV1 = defineEvent({
  name: 'PatientCategoryChanged',
  type: 'gm.directory.patient-category-changed.v1',
  version: 1,
  topic: TOPICS.directoryPatientCategories,
  keyField: 'categoryId',
  description: 'A patient category (e.g. Diabetes Program Patients) was imported or changed.',
  schema: object({
    practiceId: id,
    categoryId: id,
    name,
    active,
    version: stateVersion,
    changedAt: timestamp,
  }),
});
export type PatientCategoryChangedV1 = EventData<typeof PatientCategoryChangedV1>;

export const RoleChangedV1 = defineEvent({
  name: 'RoleChanged',
  type: 'gm.directory.role-changed.v1',
  version: 1,
  topic: TOPICS.directoryRoles,
  keyField: 'roleId',
  description: 'A role and the privileges it grants were imported or changed.',
  schema: object({
    practiceId: id,
    roleId: id,
    name,
    privileges: Type.Array(Type.String({ minLength: 1 }), {
      uniqueItems: true,
      description:
        'Privilege codes, e.g. `settings.messages.practice-access`, `settings.phr-settings`. Open: a reader ignores a code it does not know (it grants nothing the reader knows of).',
    }),
    version: stateVersion,
    changedAt: timestamp,
  }),
});
export type RoleChangedV1 = EventData<typeof RoleChangedV1>;

export const MemberChangedV1 = defineEvent({
  name: 'MemberChanged',
  type: 'gm.directory.member-changed.v1',
  version: 1,
  topic: TOPICS.directoryMembers,
  keyField: 'memberId',
  description:
    'A practice member (staff) was imported, changed or deactivated; carries role and active flag.',
  schema: object({
    practiceId: id,
    memberId: id,
    displayName: described(name, 'Staff name: internal only, never shown to a patient.'),
    roleId: described(nullableId, "The member's role; null: no role."),
    active,
    version: stateVersion,
    changedAt: timestamp,
  }),
});
export type MemberChangedV1 = EventData<typeof MemberChangedV1>;

export const PatientChangedV1 = defineEvent({
  name: 'PatientChanged',
  type: 'gm.directory.patient-changed.v1',
  version: 1,
  topic: TOPICS.directoryPatients,
  keyField: 'patientId',
  description:
    'A patient was imported or changed: facility, categories and in-house care team members.',
  schema: object({
    practiceId: id,
    patientId: id,
    displayName: name,
    facilityId: described(nullableId, "The patient's facility; null: none."),
    categoryIds: described(idList, "The patient's categories."),
    careTeamMemberIds: described(idList, "Members of the patient's in-house care team."),
    active,
    version: stateVersion,
    changedAt: timestamp,
  }),
});
export type PatientChangedV1 = EventData<typeof PatientChangedV1>;
