/**
 * The permission matrix of a thread, as pure rules: who may view, assign,
 * reply, trash and restore, for each way a thread reaches the practice.
 */
import type { AccessFacts, GroupFacts } from './thread-access.js';
import { canView, unassignmentReason, validAssignee } from './thread-access.js';
import {
  assignThread,
  readTimeline,
  replyToThread,
  restoreThread,
  trashThread,
  unassignIneligible,
} from './thread.js';
import type { RoutingKind, ThreadState } from './thread-state.js';

const admin = 'mbr_admin';
const goneAdmin = 'mbr_gone_admin';
const userAssignee = 'mbr_user_assignee';
const userOther = 'mbr_user_other';
const careAssignee = 'mbr_care_assignee';
const careMember = 'mbr_care';
const goneCare = 'mbr_gone_care';
const stranger = 'mbr_stranger';
const addressee = 'mbr_addressee';

const activeMembers = new Set([
  admin,
  userAssignee,
  userOther,
  careAssignee,
  careMember,
  stranger,
  addressee,
]);

const billing: GroupFacts = {
  name: 'Billing Team',
  members: [
    { memberId: admin, privilege: 'admin' },
    { memberId: goneAdmin, privilege: 'admin' },
    { memberId: userAssignee, privilege: 'user' },
    { memberId: userOther, privilege: 'user' },
  ],
};

const careCoordination: GroupFacts = {
  name: 'Care Coordination',
  members: [
    { memberId: admin, privilege: 'admin' },
    { memberId: goneAdmin, privilege: 'admin' },
  ],
};

const now = '2026-11-26T10:00:00.000Z';

function thread(routing: RoutingKind, overrides: Partial<ThreadState> = {}): ThreadState {
  return {
    practiceId: 'prc_1',
    threadId: 'thr_1',
    patientId: 'pat_1',
    routing,
    groupId: routing === 'direct' ? null : `grp_${routing}`,
    groupName: routing === 'direct' ? null : 'Old name',
    addresseeMemberId: routing === 'direct' ? addressee : null,
    assigneeMemberId:
      routing === 'specific-members' ? userAssignee : routing === 'care-team' ? careAssignee : null,
    status: 'not-replied',
    trashed: false,
    version: 2,
    timeline: [],
    messageIds: ['msg_1'],
    awaitingSince: null,
    responseTarget: null,
    overdue: false,
    silentBy: null,
    ...overrides,
  };
}

function facts(routing: RoutingKind, overrides: Partial<AccessFacts> = {}): AccessFacts {
  return {
    group:
      routing === 'specific-members' ? billing : routing === 'care-team' ? careCoordination : null,
    careTeamMemberIds: routing === 'care-team' ? [careMember, careAssignee, goneCare] : [],
    activeMemberIds: activeMembers,
    ...overrides,
  };
}

/** 'ok', or the code of the refusal. */
function outcome(action: () => unknown): string {
  try {
    action();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** A valid assignee to try, other than the current one. */
const assignTarget: Record<RoutingKind, string> = {
  'specific-members': userOther,
  'care-team': careMember,
  direct: addressee,
};

function matrixRow(routing: RoutingKind, memberId: string, factOverrides: Partial<AccessFacts>) {
  const t = thread(routing);
  const f = facts(routing, factOverrides);
  const reply = { replyId: 'rpl_1', body: 'Your invoice is fixed.', practiceName: 'Riverside' };
  return {
    view: canView(t, f, memberId) ? 'yes' : 'no',
    assign: outcome(() => assignThread(t, f, memberId, assignTarget[routing], now)),
    reply: outcome(() => replyToThread(t, f, memberId, reply, now)),
    trash: outcome(() => trashThread(t, f, memberId, now)),
    restore: outcome(() => restoreThread({ ...t, trashed: true }, f, memberId, now)),
  };
}

const NF = 'thread-not-found';
const NGA = 'not-group-admin';
const hidden = { view: 'no', assign: NF, reply: NF, trash: NF, restore: NF };
const everything = { view: 'yes', assign: 'ok', reply: 'ok', trash: 'ok', restore: 'ok' };

type Row = [string, string, Record<string, string>, Partial<AccessFacts>?];

const matrix: Record<RoutingKind, Row[]> = {
  'specific-members': [
    ['Admin', admin, everything],
    [
      'User who is the assignee',
      userAssignee,
      { view: 'yes', assign: NGA, reply: 'ok', trash: NGA, restore: NGA },
    ],
    [
      'User who is not the assignee',
      userOther,
      { view: 'no', assign: NGA, reply: 'reply-not-allowed', trash: NGA, restore: NGA },
    ],
    ["a member of the patient's care team (not in the group)", careMember, hidden],
    ['a non-member', stranger, hidden],
    ['a deactivated Admin', goneAdmin, hidden],
  ],
  'care-team': [
    ['Admin', admin, everything],
    [
      'the care-team member who is the assignee',
      careAssignee,
      { view: 'yes', assign: NGA, reply: 'ok', trash: NGA, restore: NGA },
    ],
    [
      'a care-team member who is not the assignee',
      careMember,
      { view: 'yes', assign: NGA, reply: 'ok', trash: NGA, restore: NGA },
    ],
    ['a User of another group', userOther, hidden],
    ['a non-member', stranger, hidden],
    ['a deactivated Admin', goneAdmin, hidden],
    ['a deactivated care-team member', goneCare, hidden],
  ],
  direct: [
    [
      'the addressee',
      addressee,
      {
        view: 'yes',
        assign: 'direct-message-not-assignable',
        reply: 'ok',
        trash: 'ok',
        restore: 'ok',
      },
    ],
    ['an Admin of a group', admin, hidden],
    ['another member', stranger, hidden],
    [
      'the addressee once deactivated',
      addressee,
      hidden,
      { activeMemberIds: new Set([admin, stranger]) },
    ],
  ],
};

describe.each(Object.keys(matrix) as RoutingKind[])('a %s thread', (routing) => {
  it.each(matrix[routing])('%s', (_, memberId, expected, overrides = {}) => {
    expect(matrixRow(routing, memberId, overrides)).toEqual(expected);
  });

  it('is hidden from everyone once its group is deleted', () => {
    if (routing === 'direct') return;
    for (const memberId of [admin, userAssignee, careMember, careAssignee]) {
      expect(matrixRow(routing, memberId, { group: null })).toEqual(hidden);
    }
  });
});

describe('assignment', () => {
  const specific = thread('specific-members', { assigneeMemberId: null });
  const care = thread('care-team', { assigneeMemberId: null });

  it.each([
    ['a User of the group', specific, userOther, 'ok'],
    ['the Admin themself', specific, admin, 'ok'],
    ['a non-member', specific, stranger, 'invalid-assignee'],
    ['a care-team member outside the group', specific, careMember, 'invalid-assignee'],
    ['a deactivated Admin', specific, goneAdmin, 'invalid-assignee'],
    ['an unknown member', specific, 'mbr_other_practice', 'invalid-assignee'],
    ["a member of the patient's care team", care, careMember, 'ok'],
    ['the Admin themself (care team)', care, admin, 'ok'],
    ['a member outside the care team', care, stranger, 'invalid-assignee'],
    ['a User of another group (care team)', care, userOther, 'invalid-assignee'],
    ['a deactivated care-team member', care, goneCare, 'invalid-assignee'],
  ])('to %s: %s', (_, t, assignee, expected) => {
    const f = facts(t.routing!);
    expect(outcome(() => assignThread(t, f, admin, assignee, now))).toBe(expected);
  });

  it('publishes the previous assignee on reassignment, and nothing when it is the same assignee', () => {
    const t = thread('specific-members');
    const f = facts('specific-members');
    const reassigned = assignThread(t, f, admin, userOther, now)!;
    expect(reassigned.change).toEqual({
      kind: 'assigned',
      assigneeMemberId: userOther,
      previousAssigneeMemberId: userAssignee,
      byMemberId: admin,
      how: 'manual',
    });
    expect(reassigned.state).toMatchObject({ assigneeMemberId: userOther, version: 3 });
    expect(reassigned.state.timeline.at(-1)).toMatchObject({
      kind: 'assigned',
      actorKind: 'member',
      actorId: admin,
      at: now,
    });
    expect(assignThread(t, f, admin, userAssignee, now)).toBeNull();
  });

  it('takes the thread away from the previous User at once', () => {
    const reassigned = assignThread(
      thread('specific-members'),
      facts('specific-members'),
      admin,
      userOther,
      now,
    )!.state;
    const f = facts('specific-members');
    expect(canView(reassigned, f, userAssignee)).toBe(false);
    expect(canView(reassigned, f, userOther)).toBe(true);
    expect(
      outcome(() =>
        replyToThread(
          reassigned,
          f,
          userAssignee,
          { replyId: 'r', body: 'x', practiceName: null },
          now,
        ),
      ),
    ).toBe('reply-not-allowed');
  });

  it('grants nothing to an assignee who left the group before the unassignment arrived', () => {
    const t = thread('specific-members');
    const without = facts('specific-members', {
      group: { ...billing, members: billing.members.filter((m) => m.memberId !== userAssignee) },
    });
    expect(canView(t, without, userAssignee)).toBe(false);
    expect(matrixRow('specific-members', userAssignee, { group: without.group })).toEqual(hidden);
  });
});

describe('unassignment', () => {
  it.each([
    [
      'the assignee is deactivated',
      thread('specific-members'),
      { activeMemberIds: new Set([admin]) },
      'member-changed',
      'member-deactivated',
    ],
    [
      'the assignee is removed from the group',
      thread('specific-members'),
      {
        group: { ...billing, members: billing.members.filter((m) => m.memberId !== userAssignee) },
      },
      'group-changed',
      'member-removed-from-group',
    ],
    [
      "the assignee leaves the patient's care team",
      thread('care-team'),
      { careTeamMemberIds: [careMember] },
      'care-team-changed',
      'care-team-changed',
    ],
    [
      'an Admin assignee of a care-team thread is removed from the group',
      thread('care-team', { assigneeMemberId: 'mbr_admin2' }),
      { activeMemberIds: new Set([...activeMembers, 'mbr_admin2']) },
      'group-changed',
      'member-removed-from-group',
    ],
  ] as const)('happens when %s', (_, t, overrides, trigger, reason) => {
    const f = facts(t.routing!, overrides);
    expect(unassignmentReason(t, f, trigger)).toBe(reason);
    const transition = unassignIneligible(t, f, trigger, now)!;
    expect(transition.change).toEqual({
      kind: 'unassigned',
      previousAssigneeMemberId: t.assigneeMemberId,
      reason,
    });
    expect(transition.state).toMatchObject({ assigneeMemberId: null, version: t.version + 1 });
    expect(transition.state.timeline.at(-1)).toMatchObject({
      kind: 'unassigned',
      actorKind: 'system',
    });
  });

  it.each([
    ['the assignee is still valid', thread('specific-members'), {}],
    ['the thread is unassigned', thread('specific-members', { assigneeMemberId: null }), {}],
    ['the group was deleted', thread('specific-members'), { group: null }],
    [
      'a care-team assignee who left the care team is an Admin of the group',
      thread('care-team', { assigneeMemberId: admin }),
      { careTeamMemberIds: [] },
    ],
    ['the thread is a direct message', thread('direct'), { activeMemberIds: new Set<string>() }],
  ] as const)('does not happen when %s', (_, t, overrides) => {
    const f = facts(t.routing!, overrides);
    expect(unassignIneligible(t, f, 'member-changed', now)).toBeNull();
    expect(unassignIneligible(t, f, 'care-team-changed', now)).toBeNull();
  });

  it('is idempotent: the unassigned thread needs no further change', () => {
    const f = facts('specific-members', { activeMemberIds: new Set([admin]) });
    const once = unassignIneligible(thread('specific-members'), f, 'member-changed', now)!;
    expect(unassignIneligible(once.state, f, 'member-changed', now)).toBeNull();
  });

  it('still applies to a thread in Trash', () => {
    const f = facts('specific-members', { activeMemberIds: new Set([admin]) });
    const trashed = thread('specific-members', { trashed: true });
    expect(unassignIneligible(trashed, f, 'member-changed', now)).not.toBeNull();
  });
});

describe('validAssignee', () => {
  it('never accepts anyone for a direct message or a thread waiting for its group', () => {
    expect(validAssignee(thread('direct'), facts('direct'), addressee)).toBe(false);
    const waiting = thread('specific-members', { routing: null });
    expect(validAssignee(waiting, facts('specific-members'), admin)).toBe(false);
    expect(canView(waiting, facts('specific-members'), admin)).toBe(false);
  });
});

describe('the timeline', () => {
  it.each([
    ['specific-members', admin, 'ok'],
    ['specific-members', userAssignee, NGA],
    ['specific-members', userOther, NGA],
    ['specific-members', stranger, NF],
    ['care-team', admin, 'ok'],
    ['care-team', careMember, NGA],
    ['care-team', stranger, NF],
    ['direct', addressee, 'ok'],
    ['direct', admin, NF],
  ] as const)('of a %s thread, read by %s: %s', (routing, memberId, expected) => {
    expect(outcome(() => readTimeline(thread(routing), facts(routing), memberId))).toBe(expected);
  });
});
