import { entityIdOf, type DirectoryKind, type DirectoryRecords } from './directory-records.js';
import { DirectoryRuleViolation } from './directory-errors.js';
import type { DirectoryReferences } from './directory-rules.js';

/** A whole practice as the EHR exports it. */
export interface PracticeBundle {
  practice: DirectoryRecords['practice'];
  facilities: DirectoryRecords['facility'][];
  patientCategories: DirectoryRecords['patient-category'][];
  roles: DirectoryRecords['role'][];
  members: DirectoryRecords['member'][];
  patients: DirectoryRecords['patient'][];
}

export function bundleRecords(bundle: PracticeBundle): {
  [K in DirectoryKind]: DirectoryRecords[K][];
} {
  const records = {
    practice: [bundle.practice],
    facility: bundle.facilities,
    'patient-category': bundle.patientCategories,
    role: bundle.roles,
    member: bundle.members,
    patient: bundle.patients,
  };
  for (const [kind, list] of Object.entries(records) as [
    DirectoryKind,
    DirectoryRecords[DirectoryKind][],
  ][]) {
    const ids = list.map((record) => entityIdOf(kind, record));
    if (new Set(ids).size !== ids.length) {
      throw new DirectoryRuleViolation('duplicate-entry', `the bundle lists a ${kind} twice`);
    }
  }
  return records;
}

/** References resolve to entries of the bundle first, then to stored entries. */
export function referencesWithin(
  bundle: PracticeBundle,
  stored: DirectoryReferences,
): DirectoryReferences {
  const inBundle = {
    facility: new Set(bundle.facilities.map((f) => f.facilityId)),
    'patient-category': new Set(bundle.patientCategories.map((c) => c.categoryId)),
    role: new Set(bundle.roles.map((r) => r.roleId)),
    member: new Set(bundle.members.map((m) => m.memberId)),
  };
  return { exists: async (kind, id) => inBundle[kind].has(id) || stored.exists(kind, id) };
}
