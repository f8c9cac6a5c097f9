import { groupNameKey } from './group-name.js';
import {
  checkMessageGroup,
  needsAdmin,
  type GroupMember,
  type MemberStatus,
  type MessageGroupDraft,
  type PracticeFacts,
} from './message-group.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';

const members = (count: number, admins = 1): GroupMember[] =>
  Array.from({ length: count }, (_, i) => ({
    memberId: `m${i}`,
    privilege: i < admins ? 'admin' : 'user',
  }));

/** A hand-written fake of the directory facts: one practice with two facilities and categories, twelve members. */
function facts(
  overrides: Partial<PracticeFacts> = {},
  statuses: Record<string, MemberStatus> = {},
): PracticeFacts {
  return {
    plan: 'paid',
    facilityExists: async (id) => ['fac_downtown', 'fac_north'].includes(id),
    patientCategoryExists: async (id) => ['cat_diabetes'].includes(id),
    memberStatuses: async (ids) =>
      new Map(ids.map((id) => [id, statuses[id] ?? (/^m\d+$/.test(id) ? 'active' : 'unknown')])),
    ...overrides,
  };
}

const draft = (overrides: Partial<MessageGroupDraft> = {}): MessageGroupDraft => ({
  name: 'Billing Team',
  description: 'Use this group to send your billing-related queries',
  facilityId: null,
  patientCategoryId: null,
  recipientMode: 'specific-members',
  members: members(2),
  ...overrides,
});

async function violation(promise: Promise<unknown>): Promise<MessageGroupRuleViolation> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MessageGroupRuleViolation) return error;
    throw error;
  }
  throw new Error('expected a rule violation');
}

const check = (d: MessageGroupDraft, f: PracticeFacts = facts()) =>
  checkMessageGroup('prc_1', 'grp_1', d, f);

describe('a message group', () => {
  it('is created with a trimmed name and its full configuration', async () => {
    const group = await check(
      draft({
        name: '  Billing Team ',
        facilityId: 'fac_north',
        patientCategoryId: 'cat_diabetes',
      }),
    );
    expect(group).toEqual({
      practiceId: 'prc_1',
      groupId: 'grp_1',
      name: 'Billing Team',
      description: 'Use this group to send your billing-related queries',
      facilityId: 'fac_north',
      patientCategoryId: 'cat_diabetes',
      recipientMode: 'specific-members',
      members: [
        { memberId: 'm0', privilege: 'admin' },
        { memberId: 'm1', privilege: 'user' },
      ],
    });
  });

  it('takes 10 members and refuses 11', async () => {
    await expect(check(draft({ members: members(10) }))).resolves.toBeDefined();
    expect((await violation(check(draft({ members: members(11) })))).code).toBe('too-many-members');
  });

  it('must include at least one Admin', async () => {
    expect((await violation(check(draft({ members: members(3, 0) })))).code).toBe(
      'group-needs-admin',
    );
    expect((await violation(check(draft({ members: [] })))).code).toBe('group-needs-admin');
  });

  it('lists a member once', async () => {
    const twice: GroupMember[] = [
      { memberId: 'm0', privilege: 'admin' },
      { memberId: 'm0', privilege: 'user' },
    ];
    expect((await violation(check(draft({ members: twice })))).code).toBe('duplicate-member');
  });

  it('needs a name of 1 to 100 characters', async () => {
    await expect(check(draft({ name: 'x'.repeat(100) }))).resolves.toBeDefined();
    expect((await violation(check(draft({ name: 'x'.repeat(101) })))).code).toBe(
      'group-name-too-long',
    );
    expect((await violation(check(draft({ name: '   ' })))).code).toBe('group-name-required');
    // Characters as a patient counts them: 100 emoji are 200 UTF-16 units.
    await expect(check(draft({ name: '\u{1F600}'.repeat(100) }))).resolves.toBeDefined();
  });

  it.each([
    ['a right-to-left override', 'Invoice \u202Egnp.exe'],
    ['a left-to-right isolate', 'Billing \u2066Team'],
    ['a control character', 'Billing\u0007Team'],
    ['a line break', 'Billing\nTeam'],
  ])('refuses a name with %s', async (_label, name) => {
    expect((await violation(check(draft({ name })))).code).toBe('group-name-invalid-characters');
  });

  it('takes a description of up to 500 characters', async () => {
    await expect(check(draft({ description: 'd'.repeat(500) }))).resolves.toBeDefined();
    expect((await violation(check(draft({ description: 'd'.repeat(501) })))).code).toBe(
      'group-description-too-long',
    );
  });

  it('is limited to a facility or patient category of its own practice', async () => {
    expect((await violation(check(draft({ facilityId: 'fac_of_other_practice' })))).code).toBe(
      'unknown-facility',
    );
    expect((await violation(check(draft({ patientCategoryId: 'cat_other' })))).code).toBe(
      'unknown-patient-category',
    );
  });

  it('is available only to practices on the paid plan', async () => {
    const free = await violation(check(draft(), facts({ plan: 'free' })));
    expect(free).toMatchObject({ code: 'paid-plan-required', kind: 'payment-required' });
    expect((await violation(check(draft(), facts({ plan: null })))).code).toBe(
      'paid-plan-required',
    );
  });

  it('takes only active members of the practice', async () => {
    const stranger: GroupMember[] = [{ memberId: 'someone-else', privilege: 'admin' }];
    expect((await violation(check(draft({ members: stranger })))).code).toBe('unknown-member');
    const deactivated = await violation(check(draft(), facts({}, { m1: 'inactive' })));
    expect(deactivated.code).toBe('member-inactive');
  });

  it('as an In-house Care Team group lists only its Admins', async () => {
    const careTeam = draft({ recipientMode: 'care-team', members: members(2, 2) });
    await expect(check(careTeam)).resolves.toMatchObject({ recipientMode: 'care-team' });
    expect(
      (await violation(check(draft({ recipientMode: 'care-team', members: members(2, 1) })))).code,
    ).toBe('care-team-group-admins-only');
  });

  it('needs an Admin again when all its Admins are deactivated', () => {
    const group = { members: members(3, 2) };
    const statuses = (m0: MemberStatus, m1: MemberStatus) =>
      new Map<string, MemberStatus>([
        ['m0', m0],
        ['m1', m1],
        ['m2', 'active'],
      ]);
    expect(needsAdmin(group, statuses('active', 'inactive'))).toBe(false);
    expect(needsAdmin(group, statuses('inactive', 'inactive'))).toBe(true);
  });
});

describe('group name uniqueness key', () => {
  it.each([
    ['Billing Team', 'billing team'],
    ['  Billing Team  ', 'BILLING TEAM'],
    ['Billing   Team', 'Billing Team'],
    ['Ｂｉｌｌｉｎｇ Team', 'billing team'],
    ['Bil\u200Bling\uFEFF Team', 'billing team'],
  ])('treats %p and %p as one name', (a, b) => {
    expect(groupNameKey(a)).toBe(groupNameKey(b));
  });

  it('tells different names apart', () => {
    expect(groupNameKey('Billing Team')).not.toBe(groupNameKey('Billing Team 2'));
  });
});
