import { PatientMessagingRuleViolation } from './patient-messaging-errors.js';
import {
  checkRecipient,
  recipientList,
  type GroupFacts,
  type MemberFacts,
  type NoSendReason,
  type PatientFacts,
  type PhrMessagingSettings,
  type RecipientPolicyInputs,
} from './recipient-policy.js';

/**
 * One practice: facilities fac_north / fac_south, categories cat_diabetes /
 * cat_cardio; Alice (Admin of the groups by default), Bob, Carol (Ruth's
 * in-house care team) are active, Dave is deactivated. Ruth is a patient of
 * fac_north in cat_diabetes.
 */
const member = (memberId: string, active = true): MemberFacts => ({
  memberId,
  displayName: `Staff ${memberId.replace('mbr_', '')}`,
  active,
});
const MEMBERS = [
  member('mbr_alice'),
  member('mbr_bob'),
  member('mbr_carol'),
  member('mbr_dave', false),
];

function group(
  groupId: string,
  scope: {
    facilityId?: string;
    patientCategoryId?: string;
    admins?: string[];
    users?: string[];
  } = {},
): GroupFacts {
  return {
    groupId,
    name: groupId.replace('grp_', '').toUpperCase(),
    description: `About ${groupId}`,
    facilityId: scope.facilityId ?? null,
    patientCategoryId: scope.patientCategoryId ?? null,
    members: [
      ...(scope.admins ?? ['mbr_alice']).map((memberId) => ({
        memberId,
        privilege: 'admin' as const,
      })),
      ...(scope.users ?? []).map((memberId) => ({ memberId, privilege: 'user' as const })),
    ],
  };
}

interface Scenario {
  settings?: Partial<PhrMessagingSettings>;
  plan?: RecipientPolicyInputs['plan'];
  patient?: Partial<PatientFacts> | null;
  groups?: GroupFacts[];
  members?: MemberFacts[];
}

function inputs(scenario: Scenario): RecipientPolicyInputs {
  return {
    settings: {
      allowPatientMessages: true,
      patientMessagePreference: 'groups-and-members',
      memberRecipients: 'all-members',
      excludedMemberIds: [],
      ...scenario.settings,
    },
    plan: scenario.plan === undefined ? 'paid' : scenario.plan,
    patient:
      scenario.patient === null
        ? null
        : {
            facilityId: 'fac_north',
            categoryIds: ['cat_diabetes'],
            careTeamMemberIds: ['mbr_carol'],
            active: true,
            ...scenario.patient,
          },
    groups: scenario.groups ?? [group('grp_billing')],
    members: scenario.members ?? MEMBERS,
  };
}

interface Expected {
  reason?: NoSendReason;
  groups?: string[];
  members?: string[];
}

const ALL_ACTIVE = ['mbr_alice', 'mbr_bob', 'mbr_carol'];
const groupsOnly = { patientMessagePreference: 'groups-only' } as const;
const membersOnly = { patientMessagePreference: 'members-only' } as const;
const careTeam = { memberRecipients: 'care-team' } as const;
const scoped = (g: GroupFacts): Scenario => ({ settings: groupsOnly, groups: [g] });

const TABLE: [string, Scenario, Expected][] = [
  // Allow patients to send messages from PHR
  [
    'messaging not allowed',
    { settings: { allowPatientMessages: false } },
    { reason: 'messaging-disabled' },
  ],
  [
    'messaging not allowed, whatever else is set',
    { settings: { allowPatientMessages: false, ...groupsOnly }, patient: { active: false } },
    { reason: 'messaging-disabled' },
  ],
  ['a patient the directory does not know', { patient: null }, { reason: 'patient-unknown' }],
  ['an inactive patient', { patient: { active: false } }, { reason: 'patient-inactive' }],
  // Preference × plan
  ['groups only, paid plan', { settings: groupsOnly }, { groups: ['grp_billing'] }],
  ['groups only, free plan', { settings: groupsOnly, plan: 'free' }, { reason: 'no-recipients' }],
  [
    'groups only, plan not known yet',
    { settings: groupsOnly, plan: null },
    { reason: 'no-recipients' },
  ],
  ['members only, paid plan', { settings: membersOnly }, { members: ALL_ACTIVE }],
  [
    'members only, free plan (members need no paid plan)',
    { settings: membersOnly, plan: 'free' },
    { members: ALL_ACTIVE },
  ],
  ['groups and members, paid plan', {}, { groups: ['grp_billing'], members: ALL_ACTIVE }],
  ['groups and members, free plan: members only', { plan: 'free' }, { members: ALL_ACTIVE }],
  [
    'groups only, no group at all',
    { settings: groupsOnly, groups: [] },
    { reason: 'no-recipients' },
  ],
  // Facility scope
  ['All Facilities group', scoped(group('grp_all')), { groups: ['grp_all'] }],
  [
    "group of the patient's facility",
    scoped(group('grp_n', { facilityId: 'fac_north' })),
    { groups: ['grp_n'] },
  ],
  [
    'group of another facility',
    scoped(group('grp_s', { facilityId: 'fac_south' })),
    { reason: 'no-recipients' },
  ],
  [
    'facility group, patient without facility',
    { ...scoped(group('grp_n', { facilityId: 'fac_north' })), patient: { facilityId: null } },
    { reason: 'no-recipients' },
  ],
  [
    'All Facilities group, patient without facility',
    { ...scoped(group('grp_all')), patient: { facilityId: null } },
    { groups: ['grp_all'] },
  ],
  // Patient category
  [
    "group of the patient's category",
    scoped(group('grp_d', { patientCategoryId: 'cat_diabetes' })),
    { groups: ['grp_d'] },
  ],
  [
    'group of another category',
    scoped(group('grp_c', { patientCategoryId: 'cat_cardio' })),
    { reason: 'no-recipients' },
  ],
  [
    'category group, patient in no category',
    {
      ...scoped(group('grp_d', { patientCategoryId: 'cat_diabetes' })),
      patient: { categoryIds: [] },
    },
    { reason: 'no-recipients' },
  ],
  [
    'category group, patient in several categories',
    {
      ...scoped(group('grp_c', { patientCategoryId: 'cat_cardio' })),
      patient: { categoryIds: ['cat_diabetes', 'cat_cardio'] },
    },
    { groups: ['grp_c'] },
  ],
  // Facility × category
  [
    'facility and category both match',
    scoped(group('grp_nd', { facilityId: 'fac_north', patientCategoryId: 'cat_diabetes' })),
    { groups: ['grp_nd'] },
  ],
  [
    'facility matches, category does not',
    scoped(group('grp_nc', { facilityId: 'fac_north', patientCategoryId: 'cat_cardio' })),
    { reason: 'no-recipients' },
  ],
  [
    'category matches, facility does not',
    scoped(group('grp_sd', { facilityId: 'fac_south', patientCategoryId: 'cat_diabetes' })),
    { reason: 'no-recipients' },
  ],
  [
    'a mix: only the groups that serve the patient',
    {
      settings: groupsOnly,
      groups: [
        group('grp_all'),
        group('grp_s', { facilityId: 'fac_south' }),
        group('grp_d', { patientCategoryId: 'cat_diabetes' }),
        group('grp_c', { patientCategoryId: 'cat_cardio' }),
      ],
    },
    { groups: ['grp_all', 'grp_d'] },
  ],
  // Active Admins (ADR 0006)
  [
    'group whose only Admin is deactivated, with an active User',
    scoped(group('grp_x', { admins: ['mbr_dave'], users: ['mbr_bob'] })),
    { reason: 'no-recipients' },
  ],
  [
    'group with one deactivated and one active Admin',
    scoped(group('grp_x', { admins: ['mbr_dave', 'mbr_bob'] })),
    { groups: ['grp_x'] },
  ],
  [
    'group whose Admin the directory does not know',
    scoped(group('grp_x', { admins: ['mbr_stranger'] })),
    { reason: 'no-recipients' },
  ],
  // Member recipients × exclusions × inactive
  [
    'all members: deactivated members are left out',
    { settings: membersOnly },
    { members: ALL_ACTIVE },
  ],
  [
    'all members minus the excluded',
    { settings: { ...membersOnly, excludedMemberIds: ['mbr_bob'] } },
    { members: ['mbr_alice', 'mbr_carol'] },
  ],
  [
    'all members, everyone excluded',
    { settings: { ...membersOnly, excludedMemberIds: ALL_ACTIVE } },
    { reason: 'no-recipients' },
  ],
  [
    "care team only: the patient's active care team",
    { settings: { ...membersOnly, ...careTeam } },
    { members: ['mbr_carol'] },
  ],
  [
    'care team only: a deactivated care team member is left out',
    {
      settings: { ...membersOnly, ...careTeam },
      patient: { careTeamMemberIds: ['mbr_carol', 'mbr_dave'] },
    },
    { members: ['mbr_carol'] },
  ],
  [
    'care team only: an id the directory does not know is left out',
    {
      settings: { ...membersOnly, ...careTeam },
      patient: { careTeamMemberIds: ['mbr_stranger', 'mbr_bob'] },
    },
    { members: ['mbr_bob'] },
  ],
  [
    'care team only minus the excluded',
    {
      settings: { ...membersOnly, ...careTeam, excludedMemberIds: ['mbr_carol'] },
      patient: { careTeamMemberIds: ['mbr_carol', 'mbr_bob'] },
    },
    { members: ['mbr_bob'] },
  ],
  [
    'care team only, no care team',
    { settings: { ...membersOnly, ...careTeam }, patient: { careTeamMemberIds: [] } },
    { reason: 'no-recipients' },
  ],
  [
    'groups and members, care team excluded: the groups remain',
    { settings: { ...careTeam, excludedMemberIds: ['mbr_carol'] } },
    { groups: ['grp_billing'] },
  ],
  [
    'exclusions do not hide a group the excluded member administers',
    { settings: { excludedMemberIds: ['mbr_alice'] } },
    { groups: ['grp_billing'], members: ['mbr_bob', 'mbr_carol'] },
  ],
  [
    'groups only ignores the kept member settings',
    { settings: { ...groupsOnly, ...careTeam, excludedMemberIds: ['mbr_alice'] } },
    { groups: ['grp_billing'] },
  ],
];

describe('the To list', () => {
  it.each(TABLE)('%s', (_, scenario, expected) => {
    const list = recipientList(inputs(scenario));
    expect({
      canSend: list.canSend,
      reason: list.reason,
      groups: list.groups.map((entry) => entry.groupId),
      members: list.members.map((entry) => entry.memberId),
    }).toEqual({
      canSend: !expected.reason,
      reason: expected.reason,
      groups: expected.groups ?? [],
      members: expected.members ?? [],
    });
  });

  it('shows a group by name and description only: no member ids, no staff names', () => {
    const list = recipientList(inputs({ groups: [group('grp_billing', { users: ['mbr_bob'] })] }));
    expect(list.groups).toEqual([
      { groupId: 'grp_billing', name: 'BILLING', description: 'About grp_billing' },
    ]);
    const json = JSON.stringify(list.groups);
    for (const staff of MEMBERS) {
      expect(json).not.toContain(staff.memberId);
      expect(json).not.toContain(staff.displayName);
    }
  });

  it('orders groups by name and members by display name', () => {
    const list = recipientList(
      inputs({
        groups: ['grp_zeta', 'grp_alpha', 'grp_mid'].map((id) => group(id, { admins: ['mbr_a'] })),
        members: [member('mbr_z'), member('mbr_a')],
      }),
    );
    expect(list.groups.map((g) => g.name)).toEqual(['ALPHA', 'MID', 'ZETA']);
    expect(list.members).toEqual([
      { memberId: 'mbr_a', displayName: 'Staff a' },
      { memberId: 'mbr_z', displayName: 'Staff z' },
    ]);
  });
});

function refusal(run: () => void): PatientMessagingRuleViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof PatientMessagingRuleViolation) return error;
    throw error;
  }
  throw new Error('expected a rule violation');
}

describe('the send-time re-check', () => {
  // Every group and member of every row: accepted exactly when the To list shows it.
  it.each(TABLE)('agrees with the To list: %s', (_, scenario, expected) => {
    const facts = inputs(scenario);
    const candidates = [
      ...facts.groups.map((g) => ({ kind: 'group' as const, groupId: g.groupId })),
      ...facts.members.map((m) => ({ kind: 'member' as const, memberId: m.memberId })),
    ];
    for (const recipient of candidates) {
      const id = recipient.kind === 'group' ? recipient.groupId : recipient.memberId;
      const listed = [...(expected.groups ?? []), ...(expected.members ?? [])].includes(id);
      if (listed) {
        expect(() => checkRecipient(facts, recipient)).not.toThrow();
        continue;
      }
      const error = refusal(() => checkRecipient(facts, recipient));
      const code =
        expected.reason && expected.reason !== 'no-recipients'
          ? expected.reason
          : 'recipient-not-available';
      expect({ id, code: error.code, kind: error.kind }).toEqual({ id, code, kind: 'forbidden' });
    }
  });

  it('refuses an unknown, another practice’s, or hidden recipient with one and the same answer', () => {
    const facts = inputs({
      groups: [group('grp_billing'), group('grp_s', { facilityId: 'fac_south' })],
    });
    const answers = [
      { kind: 'group' as const, groupId: 'grp_of_another_practice' },
      { kind: 'group' as const, groupId: 'grp_s' },
      { kind: 'member' as const, memberId: 'mbr_dave' },
      { kind: 'member' as const, memberId: 'mbr_nobody' },
    ].map((recipient) => {
      const { code, kind, message } = refusal(() => checkRecipient(facts, recipient));
      return { code, kind, message };
    });
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ code: 'recipient-not-available', kind: 'forbidden' });
  });

  it('refuses a member under Groups Only, even one who administers a group', () => {
    const facts = inputs({ settings: groupsOnly });
    expect(
      refusal(() => checkRecipient(facts, { kind: 'member', memberId: 'mbr_alice' })).code,
    ).toBe('recipient-not-available');
  });
});
