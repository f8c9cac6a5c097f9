import { defineEvent } from '../event-definition.js';
import { id, idList, nullableId, object, oneOf, timestamp, version } from '../schema-parts.js';
import { TOPICS } from '../topics.js';

/**
 * Directory state events: each carries the entity's full current state and a
 * version that grows with every change, so replicas apply them with a
 * version-checked upsert and ignore anything older than what they hold.
 */
export type SubscriptionPlan = 'free' | 'paid';

export interface PracticeChangedV1 {
  practiceId: string;
  name: string;
  plan: SubscriptionPlan;
  version: number;
  changedAt: string;
}

export const PracticeChangedV1 = defineEvent<PracticeChangedV1>({
  name: 'PracticeChanged',
  type: 'gm.directory.practice-changed.v1',
  version: 1,
  topic: TOPICS.directoryPractices,
  keyField: 'practiceId',
  description: 'A practice was imported or changed; carries its full state, including its plan.',
  schema: object({
    practiceId: id,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    plan: oneOf('free', 'paid'),
    version,
    changedAt: timestamp,
  }),
});

export interface FacilityChangedV1 {
  practiceId: string;
  facilityId: string;
  name: string;
  active: boolean;
  version: number;
  changedAt: string;
}

export const FacilityChangedV1 = defineEvent<FacilityChangedV1>({
  name: 'FacilityChanged',
  type: 'gm.directory.facility-changed.v1',
  version: 1,
  topic: TOPICS.directoryFacilities,
  keyField: 'facilityId',
  description: 'A facility of a practice was imported or changed; carries its full state.',
  schema: object({
    practiceId: id,
    facilityId: id,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    active: { type: 'boolean' },
    version,
    changedAt: timestamp,
  }),
});

export interface PatientCategoryChangedV1 {
  practiceId: string;
  categoryId: string;
  name: string;
  active: boolean;
  version: number;
  changedAt: string;
}

export const PatientCategoryChangedV1 = defineEvent<PatientCategoryChangedV1>({
  name: 'PatientCategoryChanged',
  type: 'gm.directory.patient-category-changed.v1',
  version: 1,
  topic: TOPICS.directoryPatientCategories,
  keyField: 'categoryId',
  description: 'A patient category (e.g. Diabetes Program Patients) was imported or changed.',
  schema: object({
    practiceId: id,
    categoryId: id,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    active: { type: 'boolean' },
    version,
    changedAt: timestamp,
  }),
});

export interface RoleChangedV1 {
  practiceId: string;
  roleId: string;
  name: string;
  /** Privilege codes, e.g. `settings.messages.practice-access`, `settings.phr-settings`. */
  privileges: string[];
  version: number;
  changedAt: string;
}

export const RoleChangedV1 = defineEvent<RoleChangedV1>({
  name: 'RoleChanged',
  type: 'gm.directory.role-changed.v1',
  version: 1,
  topic: TOPICS.directoryRoles,
  keyField: 'roleId',
  description: 'A role and the privileges it grants were imported or changed.',
  schema: object({
    practiceId: id,
    roleId: id,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    privileges: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    version,
    changedAt: timestamp,
  }),
});

export interface MemberChangedV1 {
  practiceId: string;
  memberId: string;
  /** Staff name: internal only, never shown to a patient. */
  displayName: string;
  roleId: string | null;
  active: boolean;
  version: number;
  changedAt: string;
}

export const MemberChangedV1 = defineEvent<MemberChangedV1>({
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
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    roleId: nullableId,
    active: { type: 'boolean' },
    version,
    changedAt: timestamp,
  }),
});

export interface PatientChangedV1 {
  practiceId: string;
  patientId: string;
  displayName: string;
  facilityId: string | null;
  categoryIds: string[];
  /** Members of the patient's in-house care team. */
  careTeamMemberIds: string[];
  active: boolean;
  version: number;
  changedAt: string;
}

export const PatientChangedV1 = defineEvent<PatientChangedV1>({
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
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    facilityId: nullableId,
    categoryIds: idList,
    careTeamMemberIds: idList,
    active: { type: 'boolean' },
    version,
    changedAt: timestamp,
  }),
});
