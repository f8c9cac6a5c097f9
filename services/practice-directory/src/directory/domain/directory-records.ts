/** The directory's entities as the practice (in production, the EHR) describes them. */
export type SubscriptionPlan = 'free' | 'paid';

export interface PracticeRecord {
  practiceId: string;
  name: string;
  plan: SubscriptionPlan;
}

export interface FacilityRecord {
  practiceId: string;
  facilityId: string;
  name: string;
  active: boolean;
}

export interface PatientCategoryRecord {
  practiceId: string;
  categoryId: string;
  name: string;
  active: boolean;
}

export interface RoleRecord {
  practiceId: string;
  roleId: string;
  name: string;
  privileges: string[];
}

export interface MemberRecord {
  practiceId: string;
  memberId: string;
  displayName: string;
  roleId: string | null;
  active: boolean;
}

export interface PatientRecord {
  practiceId: string;
  patientId: string;
  displayName: string;
  facilityId: string | null;
  categoryIds: string[];
  /** The patient's in-house care team. */
  careTeamMemberIds: string[];
  active: boolean;
}

export interface DirectoryRecords {
  practice: PracticeRecord;
  facility: FacilityRecord;
  'patient-category': PatientCategoryRecord;
  role: RoleRecord;
  member: MemberRecord;
  patient: PatientRecord;
}

export type DirectoryKind = keyof DirectoryRecords;

/** Kinds in the order a bundle is applied: everything a record refers to comes first. */
export const DIRECTORY_KINDS: readonly DirectoryKind[] = [
  'practice',
  'facility',
  'patient-category',
  'role',
  'member',
  'patient',
];

export function entityIdOf<K extends DirectoryKind>(kind: K, record: DirectoryRecords[K]): string {
  switch (kind) {
    case 'practice':
      return (record as PracticeRecord).practiceId;
    case 'facility':
      return (record as FacilityRecord).facilityId;
    case 'patient-category':
      return (record as PatientCategoryRecord).categoryId;
    case 'role':
      return (record as RoleRecord).roleId;
    case 'member':
      return (record as MemberRecord).memberId;
    default:
      return (record as PatientRecord).patientId;
  }
}
