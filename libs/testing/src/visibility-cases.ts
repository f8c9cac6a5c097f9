/**
 * Who may see a staff-side thread, as a table of cases: data only, no rules.
 *
 * routing-assignment is the one authority (ADR 0016): its rules
 * (`threads/domain/thread-access.ts`: canView, canSeeTimeline) and the
 * audience it publishes (`thread-audience.ts`) both run against this table,
 * so what a member may open there is what the read model lists. The
 * expectations come from the product description (Message Groups: Admin,
 * User, In-house Care Team; ADR 0006: a deactivated member has no rights),
 * not from the code.
 */

export type CaseRouting = 'specific-members' | 'care-team' | 'direct';

export interface VisibilityCase {
  name: string;
  thread: {
    /** null: the patient's message has not been routed yet. */
    routing: CaseRouting | null;
    addressee: string | null;
    assignee: string | null;
  };
  /** The thread's group as configured now; null for a direct message or a deleted group. */
  group: {
    recipientMode: 'specific-members' | 'care-team';
    members: { memberId: string; privilege: 'admin' | 'user' }[];
  } | null;
  /** The patient's in-house care team now. */
  careTeam: string[];
  /** Members of the cast deactivated in the directory; everyone else in it is active. */
  inactive: string[];
  /** Exactly who, of the cast, may see (list, open) the thread. */
  maySee: string[];
  /** Exactly who, of the cast, may see its progress timeline. */
  timeline: string[];
}

const ADMIN = 'mbr_admin';
const ADMIN_2 = 'mbr_admin_2';
const USER = 'mbr_user';
const USER_2 = 'mbr_user_2';
const CARE = 'mbr_care';
const CARE_2 = 'mbr_care_2';
const ADDRESSEE = 'mbr_addressee';
const STRANGER = 'mbr_stranger';

/** Everyone every case is asked about. */
export const VISIBILITY_CAST = [ADMIN, ADMIN_2, USER, USER_2, CARE, CARE_2, ADDRESSEE, STRANGER];

const billing = {
  recipientMode: 'specific-members' as const,
  members: [
    { memberId: ADMIN, privilege: 'admin' as const },
    { memberId: USER, privilege: 'user' as const },
    { memberId: USER_2, privilege: 'user' as const },
  ],
};
const careCoordination = {
  recipientMode: 'care-team' as const,
  members: [{ memberId: ADMIN, privilege: 'admin' as const }],
};
const specific = (assignee: string | null = null) => ({
  routing: 'specific-members' as const,
  addressee: null,
  assignee,
});
const careTeamThread = (assignee: string | null = null) => ({
  routing: 'care-team' as const,
  addressee: null,
  assignee,
});
const direct = { routing: 'direct' as const, addressee: ADDRESSEE, assignee: null };

export const VISIBILITY_CASES: readonly VisibilityCase[] = [
  // --- Specific Members: Admins see all, Users what is assigned to them ---
  {
    name: 'specific members, unassigned: the Admin only',
    thread: specific(),
    group: billing,
    careTeam: [],
    inactive: [],
    maySee: [ADMIN],
    timeline: [ADMIN],
  },
  {
    name: 'specific members, assigned to a User: the Admin and that User',
    thread: specific(USER),
    group: billing,
    careTeam: [],
    inactive: [],
    maySee: [ADMIN, USER],
    timeline: [ADMIN],
  },
  {
    name: 'specific members, assigned to the Admin themself',
    thread: specific(ADMIN),
    group: billing,
    careTeam: [],
    inactive: [],
    maySee: [ADMIN],
    timeline: [ADMIN],
  },
  {
    name: 'specific members, two Admins: both see it',
    thread: specific(USER_2),
    group: {
      ...billing,
      members: [...billing.members, { memberId: ADMIN_2, privilege: 'admin' }],
    },
    careTeam: [],
    inactive: [],
    maySee: [ADMIN, ADMIN_2, USER_2],
    timeline: [ADMIN, ADMIN_2],
  },
  {
    name: 'specific members, the assigned User deactivated',
    thread: specific(USER),
    group: billing,
    careTeam: [],
    inactive: [USER],
    maySee: [ADMIN],
    timeline: [ADMIN],
  },
  {
    name: 'specific members, the Admin deactivated: the assignee keeps it',
    thread: specific(USER),
    group: billing,
    careTeam: [],
    inactive: [ADMIN],
    maySee: [USER],
    timeline: [],
  },
  {
    name: 'specific members, the assignee removed from the group (stale assignment)',
    thread: specific(STRANGER),
    group: billing,
    careTeam: [],
    inactive: [],
    maySee: [ADMIN],
    timeline: [ADMIN],
  },
  {
    name: 'specific members, the patient has a care team: it does not see the group’s threads',
    thread: specific(),
    group: billing,
    careTeam: [CARE, USER],
    inactive: [],
    maySee: [ADMIN],
    timeline: [ADMIN],
  },
  {
    name: 'specific members, the group deleted: nobody',
    thread: specific(USER),
    group: null,
    careTeam: [],
    inactive: [],
    maySee: [],
    timeline: [],
  },
  {
    name: 'not routed yet: nobody',
    thread: { routing: null, addressee: null, assignee: null },
    group: billing,
    careTeam: [CARE],
    inactive: [],
    maySee: [],
    timeline: [],
  },

  // --- In-house Care Team: the patient's care team, and the group's Admins ---
  {
    name: 'care team, unassigned: the Admin and the whole care team',
    thread: careTeamThread(),
    group: careCoordination,
    careTeam: [CARE, CARE_2],
    inactive: [],
    maySee: [ADMIN, CARE, CARE_2],
    timeline: [ADMIN],
  },
  {
    name: 'care team, assigned to one of the team: the others still see it',
    thread: careTeamThread(CARE),
    group: careCoordination,
    careTeam: [CARE, CARE_2],
    inactive: [],
    maySee: [ADMIN, CARE, CARE_2],
    timeline: [ADMIN],
  },
  {
    name: 'care team, a deactivated care team member',
    thread: careTeamThread(),
    group: careCoordination,
    careTeam: [CARE, CARE_2],
    inactive: [CARE],
    maySee: [ADMIN, CARE_2],
    timeline: [ADMIN],
  },
  {
    name: 'care team, the assignee left the care team (stale assignment)',
    thread: careTeamThread(CARE),
    group: careCoordination,
    careTeam: [CARE_2],
    inactive: [],
    maySee: [ADMIN, CARE_2],
    timeline: [ADMIN],
  },
  {
    name: 'care team, assigned to someone neither on the team nor an Admin',
    thread: careTeamThread(STRANGER),
    group: careCoordination,
    careTeam: [CARE],
    inactive: [],
    maySee: [ADMIN, CARE],
    timeline: [ADMIN],
  },
  {
    name: 'care team, a group User not on the patient’s care team does not see it',
    thread: careTeamThread(USER),
    group: {
      ...careCoordination,
      members: [...careCoordination.members, { memberId: USER, privilege: 'user' }],
    },
    careTeam: [CARE],
    inactive: [],
    maySee: [ADMIN, CARE],
    timeline: [ADMIN],
  },
  {
    name: 'care team, the Admin also on the care team',
    thread: careTeamThread(),
    group: careCoordination,
    careTeam: [ADMIN, CARE],
    inactive: [],
    maySee: [ADMIN, CARE],
    timeline: [ADMIN],
  },
  {
    name: 'care team, the Admin deactivated: the care team only',
    thread: careTeamThread(),
    group: careCoordination,
    careTeam: [CARE],
    inactive: [ADMIN],
    maySee: [CARE],
    timeline: [],
  },
  {
    name: 'care team, the group deleted: not even the care team',
    thread: careTeamThread(CARE),
    group: null,
    careTeam: [CARE, CARE_2],
    inactive: [],
    maySee: [],
    timeline: [],
  },

  // --- Direct messages: the addressee alone ---
  {
    name: 'direct: the addressee alone, care team or not',
    thread: direct,
    group: null,
    careTeam: [CARE],
    inactive: [],
    maySee: [ADDRESSEE],
    timeline: [ADDRESSEE],
  },
  {
    name: 'direct, the addressee deactivated: nobody',
    thread: direct,
    group: null,
    careTeam: [],
    inactive: [ADDRESSEE],
    maySee: [],
    timeline: [],
  },
  {
    name: 'direct, with an assignee on record: a direct message is never assigned',
    thread: { ...direct, assignee: STRANGER },
    group: null,
    careTeam: [],
    inactive: [],
    maySee: [ADDRESSEE],
    timeline: [ADDRESSEE],
  },
];
