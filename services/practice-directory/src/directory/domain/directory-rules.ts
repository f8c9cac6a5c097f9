import type {
  DirectoryKind,
  DirectoryRecords,
  FacilityRecord,
  MemberRecord,
  PatientCategoryRecord,
  PatientRecord,
  PracticeRecord,
  RoleRecord,
} from './directory-records.js';
import { DirectoryRuleViolation } from './directory-errors.js';

/** Ids are opaque, but safe in keys and URLs; ':' is reserved (tenant-scoped keys). */
const ID = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_NAME = 200;
const MAX_LIST = 500;

/** What the rules need to know about the practice's existing directory. */
export interface DirectoryReferences {
  exists(kind: 'facility' | 'patient-category' | 'role' | 'member', id: string): Promise<boolean>;
}

export function checkId(field: string, value: string): string {
  if (!ID.test(value)) {
    throw new DirectoryRuleViolation(
      'invalid-id',
      `${field} must be 1–128 letters, digits, '_', '.' or '-'`,
    );
  }
  return value;
}

function checkName(field: string, value: string): string {
  const name = value.trim();
  if (!name || name.length > MAX_NAME) {
    throw new DirectoryRuleViolation('invalid-name', `${field} must be 1–${MAX_NAME} characters`);
  }
  return name;
}

function checkIdList(field: string, values: string[]): string[] {
  if (values.length > MAX_LIST) {
    throw new DirectoryRuleViolation('too-many-items', `${field} has more than ${MAX_LIST} items`);
  }
  return [...new Set(values.map((value) => checkId(field, value)))].sort();
}

async function checkReference(
  references: DirectoryReferences,
  kind: 'facility' | 'patient-category' | 'role' | 'member',
  id: string,
): Promise<void> {
  if (!(await references.exists(kind, id))) {
    throw new DirectoryRuleViolation(
      `unknown-${kind}`,
      `no ${kind} ${id} in this practice`,
      'invalid',
    );
  }
}

/**
 * Normalises a record and checks it against the directory's rules: ids,
 * names, known privileges, and references that must exist in the same
 * practice. Returns the record as it will be stored and published.
 */
export async function checkRecord<K extends DirectoryKind>(
  kind: K,
  record: DirectoryRecords[K],
  references: DirectoryReferences,
  knownPrivileges: readonly string[],
): Promise<DirectoryRecords[K]> {
  const practiceId = checkId('practiceId', record.practiceId);
  switch (kind) {
    case 'practice': {
      const practice = record as PracticeRecord;
      if (practice.plan !== 'free' && practice.plan !== 'paid') {
        throw new DirectoryRuleViolation('invalid-plan', 'plan must be free or paid');
      }
      return {
        practiceId,
        name: checkName('name', practice.name),
        plan: practice.plan,
      } as DirectoryRecords[K];
    }
    case 'facility': {
      const facility = record as FacilityRecord;
      return {
        practiceId,
        facilityId: checkId('facilityId', facility.facilityId),
        name: checkName('name', facility.name),
        active: facility.active,
      } as DirectoryRecords[K];
    }
    case 'patient-category': {
      const category = record as PatientCategoryRecord;
      return {
        practiceId,
        categoryId: checkId('categoryId', category.categoryId),
        name: checkName('name', category.name),
        active: category.active,
      } as DirectoryRecords[K];
    }
    case 'role': {
      const role = record as RoleRecord;
      const unknown = role.privileges.filter((privilege) => !knownPrivileges.includes(privilege));
      if (unknown.length) {
        throw new DirectoryRuleViolation(
          'unknown-privilege',
          `unknown privileges: ${unknown.join(', ')}`,
        );
      }
      return {
        practiceId,
        roleId: checkId('roleId', role.roleId),
        name: checkName('name', role.name),
        privileges: [...new Set(role.privileges)].sort(),
      } as DirectoryRecords[K];
    }
    case 'member': {
      const member = record as MemberRecord;
      if (member.roleId !== null)
        await checkReference(references, 'role', checkId('roleId', member.roleId));
      return {
        practiceId,
        memberId: checkId('memberId', member.memberId),
        displayName: checkName('displayName', member.displayName),
        roleId: member.roleId,
        active: member.active,
      } as DirectoryRecords[K];
    }
    default: {
      const patient = record as PatientRecord;
      if (patient.facilityId !== null) {
        await checkReference(references, 'facility', checkId('facilityId', patient.facilityId));
      }
      const categoryIds = checkIdList('categoryIds', patient.categoryIds);
      const careTeamMemberIds = checkIdList('careTeamMemberIds', patient.careTeamMemberIds);
      for (const id of categoryIds) await checkReference(references, 'patient-category', id);
      for (const id of careTeamMemberIds) await checkReference(references, 'member', id);
      return {
        practiceId,
        patientId: checkId('patientId', patient.patientId),
        displayName: checkName('displayName', patient.displayName),
        facilityId: patient.facilityId,
        categoryIds,
        careTeamMemberIds,
        active: patient.active,
      } as DirectoryRecords[K];
    }
  }
}

/** A record changes the directory only when its state differs: re-imports publish nothing. */
export function isSameState(a: object, b: object): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
