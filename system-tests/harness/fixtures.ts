/**
 * The practices a run seeds, as data. Member ids repeat across practices on
 * purpose (`mbr_padmin` is a practice admin in both, `pat_a` a patient in
 * both): tenancy must come from the token, never from an id that happens to
 * match. Display names carry a surname per practice, so a leak of one
 * practice's data into another's answers is a plain substring search.
 */
import { PRIVILEGES } from '@gm/contracts';

export interface MemberFixture {
  id: string;
  displayName: string;
  roleId: string | null;
  active: boolean;
}

export interface PatientFixture {
  id: string;
  displayName: string;
  facilityId: string | null;
  categoryIds: string[];
  careTeamMemberIds: string[];
}

export interface GroupFixture {
  name: string;
  description: string;
  facilityId: string | null;
  patientCategoryId: string | null;
  recipientMode: 'specific-members' | 'care-team';
  members: { memberId: string; privilege: 'admin' | 'user' }[];
}

export interface PhrFixture {
  allowPatientMessages: boolean;
  patientMessagePreference: 'groups-only' | 'members-only' | 'groups-and-members';
  memberRecipients: 'all-members' | 'care-team';
  excludedMemberIds: string[];
}

export interface PracticeFixture {
  practiceId: string;
  name: string;
  plan: 'free' | 'paid';
  /** Every display name of this practice contains it (leak searches). */
  surname: string;
  /** The system client (EHR feed) of this practice. */
  systemId: string;
  /** A member whose role has both settings privileges. */
  settingsAdmin: string;
  facilities: { id: string; name: string }[];
  patientCategories: { id: string; name: string }[];
  roles: { id: string; name: string; privileges: string[] }[];
  members: Record<string, MemberFixture>;
  patients: Record<string, PatientFixture>;
  groups: Record<string, GroupFixture>;
  phr: PhrFixture;
}

/** A fixture after seeding: the same, plus the ids the services gave the groups. */
export interface SeededPractice extends PracticeFixture {
  groupIds: Record<string, string>;
}

const SETTINGS_ROLE = {
  id: 'role_practice_admin',
  name: 'Practice Admin',
  privileges: [PRIVILEGES.messageGroupsSettings, PRIVILEGES.phrSettings],
};

/** Compliance staff: read the access audit trail, and nothing else of the settings. */
const AUDIT_ROLE = {
  id: 'role_compliance',
  name: 'Compliance',
  privileges: [PRIVILEGES.auditRead],
};

const member = (
  id: string,
  first: string,
  surname: string,
  roleId: string | null = null,
  active = true,
): MemberFixture => ({ id, displayName: `${first} ${surname}`, roleId, active });

/**
 * The practice the authorization matrix, the hostile-input suite and the PHI
 * check work in: one member for every role the matrix needs.
 */
export function mainPracticeFixture(practiceId: string, surname = 'Mainwaring'): PracticeFixture {
  return {
    practiceId,
    name: `${surname} Family Practice`,
    plan: 'paid',
    surname,
    systemId: 'sys_ehr_feed',
    settingsAdmin: 'mbr_padmin',
    facilities: [
      { id: 'fac_main', name: 'Main Street Clinic' },
      { id: 'fac_north', name: 'North Clinic' },
    ],
    patientCategories: [{ id: 'cat_diabetes', name: 'Diabetes Program Patients' }],
    roles: [SETTINGS_ROLE, AUDIT_ROLE, { id: 'role_staff', name: 'Staff', privileges: [] }],
    members: {
      practiceAdmin: member('mbr_padmin', 'Paula', surname, SETTINGS_ROLE.id),
      groupAdmin: member('mbr_gadmin', 'Gabe', surname, 'role_staff'),
      groupUser: member('mbr_guser', 'Gwen', surname),
      assignee: member('mbr_assignee', 'Asa', surname),
      careTeam: member('mbr_care', 'Cara', surname),
      nonMember: member('mbr_outsider', 'Otto', surname, 'role_staff'),
      excluded: member('mbr_excluded', 'Xena', surname),
      inactiveAdmin: member('mbr_former', 'Fred', surname, SETTINGS_ROLE.id, false),
      auditor: member('mbr_auditor', 'Audrey', surname, AUDIT_ROLE.id),
    },
    patients: {
      patient: {
        id: 'pat_a',
        displayName: `Ada ${surname}`,
        facilityId: 'fac_main',
        categoryIds: ['cat_diabetes'],
        careTeamMemberIds: ['mbr_care'],
      },
      otherPatient: {
        id: 'pat_b',
        displayName: `Ben ${surname}`,
        facilityId: 'fac_north',
        categoryIds: [],
        careTeamMemberIds: [],
      },
    },
    groups: {
      billing: {
        name: 'Billing Team',
        description: 'Invoices, statements and insurance questions',
        facilityId: null,
        patientCategoryId: null,
        recipientMode: 'specific-members',
        members: [
          { memberId: 'mbr_gadmin', privilege: 'admin' },
          { memberId: 'mbr_guser', privilege: 'user' },
          { memberId: 'mbr_assignee', privilege: 'user' },
        ],
      },
      care: {
        name: 'Diabetes Care Team',
        description: 'Questions for your diabetes care team',
        facilityId: null,
        patientCategoryId: 'cat_diabetes',
        recipientMode: 'care-team',
        members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
      },
      lab: {
        name: 'Lab Services',
        description: 'Lab orders and results at the North Clinic',
        facilityId: 'fac_north',
        patientCategoryId: null,
        recipientMode: 'specific-members',
        members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
      },
    },
    phr: {
      allowPatientMessages: true,
      patientMessagePreference: 'groups-and-members',
      // Patients are offered their own care team only: a patient's answers
      // then never name the staff of a group.
      memberRecipients: 'care-team',
      excludedMemberIds: ['mbr_excluded'],
    },
  };
}

/** The other tenant: the same ids for different people, a group with the same name. */
export function otherPracticeFixture(practiceId: string, surname = 'Elsewhere'): PracticeFixture {
  return {
    practiceId,
    name: `${surname} Health`,
    plan: 'paid',
    surname,
    systemId: 'sys_ehr_feed',
    settingsAdmin: 'mbr_padmin',
    facilities: [{ id: 'fac_main', name: 'Elsewhere Clinic' }],
    patientCategories: [],
    roles: [SETTINGS_ROLE, AUDIT_ROLE],
    members: {
      practiceAdmin: member('mbr_padmin', 'Zora', surname, SETTINGS_ROLE.id),
      groupAdmin: member('mbr_gadmin', 'Zane', surname),
      auditor: member('mbr_auditor', 'Zeb', surname, AUDIT_ROLE.id),
    },
    patients: {
      patient: {
        id: 'pat_a',
        displayName: `Zelda ${surname}`,
        facilityId: 'fac_main',
        categoryIds: [],
        careTeamMemberIds: ['mbr_gadmin'],
      },
    },
    groups: {
      billing: {
        name: 'Billing Team',
        description: `Billing at ${surname} Health`,
        facilityId: null,
        patientCategoryId: null,
        recipientMode: 'specific-members',
        members: [
          { memberId: 'mbr_gadmin', privilege: 'admin' },
          { memberId: 'mbr_padmin', privilege: 'user' },
        ],
      },
    },
    phr: {
      allowPatientMessages: true,
      patientMessagePreference: 'groups-and-members',
      memberRecipients: 'all-members',
      excludedMemberIds: [],
    },
  };
}

/** The directory bundle of a fixture, for `POST /directory/import`. */
export function directoryBundle(fixture: PracticeFixture) {
  return {
    practice: { name: fixture.name, plan: fixture.plan },
    facilities: fixture.facilities,
    patientCategories: fixture.patientCategories,
    roles: fixture.roles,
    members: Object.values(fixture.members),
    patients: Object.values(fixture.patients),
  };
}

/**
 * What the patient's To list must show under the fixture's settings: groups
 * whose facility and category fit the patient (and that have an active
 * Admin), members per the Message Recipient setting minus the excluded and
 * the inactive. Sorted ids.
 */
export function expectedToList(
  fixture: PracticeFixture,
  patientKey: string,
  groupIds: Record<string, string>,
): { groups: string[]; members: string[] } {
  const patient = fixture.patients[patientKey];
  const active = new Set(
    Object.values(fixture.members)
      .filter((m) => m.active)
      .map((m) => m.id),
  );
  const phr = fixture.phr;
  if (!phr.allowPatientMessages) return { groups: [], members: [] };
  const groups =
    phr.patientMessagePreference === 'members-only' || fixture.plan !== 'paid'
      ? []
      : Object.entries(fixture.groups)
          .filter(([key]) => groupIds[key])
          .filter(([, g]) => g.facilityId === null || g.facilityId === patient.facilityId)
          .filter(
            ([, g]) =>
              g.patientCategoryId === null || patient.categoryIds.includes(g.patientCategoryId),
          )
          .filter(([, g]) =>
            g.members.some((m) => m.privilege === 'admin' && active.has(m.memberId)),
          )
          .map(([key]) => groupIds[key]);
  const candidates =
    phr.memberRecipients === 'care-team'
      ? patient.careTeamMemberIds
      : Object.values(fixture.members).map((m) => m.id);
  const members =
    phr.patientMessagePreference === 'groups-only'
      ? []
      : candidates.filter((id) => active.has(id) && !phr.excludedMemberIds.includes(id));
  return { groups: groups.sort(), members: [...new Set(members)].sort() };
}
