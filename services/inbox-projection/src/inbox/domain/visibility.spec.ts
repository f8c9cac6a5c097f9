import {
  audience,
  audienceOf,
  seesTimeline,
  type AccessFacts,
  type ThreadAccess,
} from './visibility.js';

/**
 * The visibility matrix: every role against every change event, as the pure
 * rule the projector applies to each thread after each event.
 */
const ADMIN = 'm_admin';
const ADMIN2 = 'm_admin2';
const USER_A = 'm_user_a';
const USER_B = 'm_user_b';
const CARE = 'm_care';
const CARE2 = 'm_care2';
const ADDRESSEE = 'm_addressee';
const STRANGER = 'm_stranger';
const EVERYONE = [ADMIN, ADMIN2, USER_A, USER_B, CARE, CARE2, ADDRESSEE, STRANGER];

const specific = (
  members = [
    { memberId: ADMIN, privilege: 'admin' as const },
    { memberId: USER_A, privilege: 'user' as const },
    { memberId: USER_B, privilege: 'user' as const },
  ],
) => ({ name: 'Billing', recipientMode: 'specific-members' as const, members });
const careGroup = (members = [{ memberId: ADMIN, privilege: 'admin' as const }]) => ({
  name: 'Care',
  recipientMode: 'care-team' as const,
  members,
});

const facts = (over: Partial<AccessFacts> = {}): AccessFacts => ({
  group: specific(),
  careTeamMemberIds: [],
  activeMemberIds: new Set(EVERYONE),
  ...over,
});
const groupThread = (assignee: string | null = null): ThreadAccess => ({
  routing: 'specific-members',
  addresseeMemberId: null,
  assigneeMemberId: assignee,
});
const careThread = (assignee: string | null = null): ThreadAccess => ({
  routing: 'care-team',
  addresseeMemberId: null,
  assigneeMemberId: assignee,
});
const direct: ThreadAccess = {
  routing: 'direct',
  addresseeMemberId: ADDRESSEE,
  assigneeMemberId: null,
};
const without = (set: Iterable<string>, ...ids: string[]) =>
  new Set([...set].filter((id) => !ids.includes(id)));

const seen = (t: ThreadAccess, f: AccessFacts) => Object.fromEntries(audience(t, f));

interface Row {
  change: string;
  thread: ThreadAccess;
  facts: AccessFacts;
  expected: Record<string, string>;
}

const rows: Row[] = [
  // Specific Members groups
  {
    change: 'routed, unassigned',
    thread: groupThread(),
    facts: facts(),
    expected: { [ADMIN]: 'admin' },
  },
  {
    change: 'assigned to User A',
    thread: groupThread(USER_A),
    facts: facts(),
    expected: { [ADMIN]: 'admin', [USER_A]: 'assignee' },
  },
  {
    change: 'reassigned A → B (A loses it)',
    thread: groupThread(USER_B),
    facts: facts(),
    expected: { [ADMIN]: 'admin', [USER_B]: 'assignee' },
  },
  {
    change: 'assigned to the Admin themself',
    thread: groupThread(ADMIN),
    facts: facts(),
    expected: { [ADMIN]: 'admin' },
  },
  {
    change: 'unassigned',
    thread: groupThread(null),
    facts: facts(),
    expected: { [ADMIN]: 'admin' },
  },
  {
    change: 'assignee removed from the group (before MessageUnassigned)',
    thread: groupThread(USER_A),
    facts: facts({ group: specific([{ memberId: ADMIN, privilege: 'admin' }]) }),
    expected: { [ADMIN]: 'admin' },
  },
  {
    change: 'User A promoted to Admin',
    thread: groupThread(USER_B),
    facts: facts({
      group: specific([
        { memberId: ADMIN, privilege: 'admin' },
        { memberId: USER_A, privilege: 'admin' },
        { memberId: USER_B, privilege: 'user' },
      ]),
    }),
    expected: { [ADMIN]: 'admin', [USER_A]: 'admin', [USER_B]: 'assignee' },
  },
  {
    change: 'Admin demoted to User (sees only what is assigned)',
    thread: groupThread(null),
    facts: facts({
      group: specific([
        { memberId: ADMIN, privilege: 'user' },
        { memberId: ADMIN2, privilege: 'admin' },
      ]),
    }),
    expected: { [ADMIN2]: 'admin' },
  },
  {
    change: 'Admin added to the group',
    thread: groupThread(),
    facts: facts({
      group: specific([
        { memberId: ADMIN, privilege: 'admin' },
        { memberId: ADMIN2, privilege: 'admin' },
      ]),
    }),
    expected: { [ADMIN]: 'admin', [ADMIN2]: 'admin' },
  },
  {
    change: 'Admin deactivated',
    thread: groupThread(USER_A),
    facts: facts({ activeMemberIds: without(EVERYONE, ADMIN) }),
    expected: { [USER_A]: 'assignee' },
  },
  {
    change: 'assignee deactivated',
    thread: groupThread(USER_A),
    facts: facts({ activeMemberIds: without(EVERYONE, USER_A) }),
    expected: { [ADMIN]: 'admin' },
  },
  {
    change: 'Admin reactivated',
    thread: groupThread(),
    facts: facts(),
    expected: { [ADMIN]: 'admin' },
  },
  {
    change: 'group deleted',
    thread: groupThread(USER_A),
    facts: facts({ group: null }),
    expected: {},
  },
  {
    change: 'assignee is a stranger (not a member of the group)',
    thread: groupThread(STRANGER),
    facts: facts(),
    expected: { [ADMIN]: 'admin' },
  },
  // Care-team groups
  {
    change: 'care-team routed',
    thread: careThread(),
    facts: facts({ group: careGroup(), careTeamMemberIds: [CARE, CARE2] }),
    expected: { [ADMIN]: 'admin', [CARE]: 'care-team', [CARE2]: 'care-team' },
  },
  {
    change: 'care team changed (CARE2 left, STRANGER joined)',
    thread: careThread(),
    facts: facts({ group: careGroup(), careTeamMemberIds: [CARE, STRANGER] }),
    expected: { [ADMIN]: 'admin', [CARE]: 'care-team', [STRANGER]: 'care-team' },
  },
  {
    change: 'care-team member deactivated',
    thread: careThread(),
    facts: facts({
      group: careGroup(),
      careTeamMemberIds: [CARE, CARE2],
      activeMemberIds: without(EVERYONE, CARE),
    }),
    expected: { [ADMIN]: 'admin', [CARE2]: 'care-team' },
  },
  {
    change: 'care-team thread assigned to a care member who then left the care team',
    thread: careThread(CARE),
    facts: facts({ group: careGroup(), careTeamMemberIds: [CARE2] }),
    expected: { [ADMIN]: 'admin', [CARE2]: 'care-team' },
  },
  {
    change: 'care-team thread assigned to a second Admin',
    thread: careThread(ADMIN2),
    facts: facts({
      group: careGroup([
        { memberId: ADMIN, privilege: 'admin' },
        { memberId: ADMIN2, privilege: 'admin' },
      ]),
    }),
    expected: { [ADMIN]: 'admin', [ADMIN2]: 'admin' },
  },
  {
    change: 'care-team group deleted',
    thread: careThread(),
    facts: facts({ group: null, careTeamMemberIds: [CARE] }),
    expected: {},
  },
  {
    change: 'care team of a Specific Members thread does not count',
    thread: groupThread(),
    facts: facts({ careTeamMemberIds: [CARE] }),
    expected: { [ADMIN]: 'admin' },
  },
  // Direct messages
  {
    change: 'direct message',
    thread: direct,
    facts: facts({ group: null }),
    expected: { [ADDRESSEE]: 'addressee' },
  },
  {
    change: 'addressee deactivated',
    thread: direct,
    facts: facts({ group: null, activeMemberIds: without(EVERYONE, ADDRESSEE) }),
    expected: {},
  },
  {
    change: 'a direct message is not seen by Admins of any group',
    thread: direct,
    facts: facts(),
    expected: { [ADDRESSEE]: 'addressee' },
  },
  // Not routed yet (parked until its group arrives)
  {
    change: 'parked thread',
    thread: { routing: null, addresseeMemberId: null, assigneeMemberId: null },
    facts: facts(),
    expected: {},
  },
];

describe('visibility matrix', () => {
  it.each(rows)('$change', ({ thread, facts: f, expected }) => {
    expect(seen(thread, f)).toEqual(expected);
    // The list rule and the open rule are the same function.
    for (const member of EVERYONE) {
      expect(audienceOf(thread, f, member) ?? undefined).toBe(expected[member]);
    }
  });

  it('gives the timeline to Admins and the addressee only', () => {
    expect(seesTimeline('admin')).toBe(true);
    expect(seesTimeline('addressee')).toBe(true);
    expect(seesTimeline('assignee')).toBe(false);
    expect(seesTimeline('care-team')).toBe(false);
  });

  it('never fans out beyond the group members, the care team, the assignee and the addressee', () => {
    const f = facts({ group: careGroup(), careTeamMemberIds: [CARE, CARE2] });
    const members = [...audience(careThread(ADMIN), f).keys()];
    expect(members.every((m) => [ADMIN, CARE, CARE2].includes(m))).toBe(true);
  });
});
