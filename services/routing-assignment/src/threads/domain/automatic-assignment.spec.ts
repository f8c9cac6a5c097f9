import {
  assignAutomatically,
  automaticCandidates,
  chooseAssignee,
  isQueued,
} from './automatic-assignment.js';
import type { AccessFacts } from './thread-access.js';
import { openThread } from './thread.js';
import type { PatientMessage, ThreadState } from './thread-state.js';
import { NO_WORKFLOW } from './thread-workflow.js';

const now = '2026-12-03T10:00:00.000Z';

const message: PatientMessage = {
  practiceId: 'prc_1',
  threadId: 'thr_1',
  messageId: 'msg_1',
  patientId: 'pat_1',
  recipientKind: 'group',
  groupId: 'grp_1',
  memberId: null,
  followUp: false,
  threadVersion: 1,
  sentAt: now,
};

const opened = (recipientMode: 'specific-members' | 'care-team'): ThreadState =>
  openThread(message, { name: 'Billing Team', recipientMode, workflow: NO_WORKFLOW }, now).state;

const facts: AccessFacts = {
  group: {
    name: 'Billing Team',
    members: [
      { memberId: 'mbr_admin', privilege: 'admin' },
      { memberId: 'mbr_uma', privilege: 'user' },
      { memberId: 'mbr_vic', privilege: 'user' },
      { memberId: 'mbr_away', privilege: 'user' },
    ],
  },
  careTeamMemberIds: ['mbr_dan', 'mbr_away'],
  activeMemberIds: new Set(['mbr_admin', 'mbr_uma', 'mbr_vic', 'mbr_dan']),
};

describe('who automatic assignment may choose', () => {
  it("takes a Specific Members group's active Users, not its Admins", () => {
    expect(automaticCandidates(opened('specific-members'), facts)).toEqual(['mbr_uma', 'mbr_vic']);
  });

  it('prefers others to a member who went silent on the thread in this wait', () => {
    const thread = opened('specific-members');
    const silentOnce: ThreadState = {
      ...thread,
      awaitingSince: now,
      timeline: [
        ...thread.timeline,
        {
          kind: 'unassigned',
          actorKind: 'system',
          actorId: null,
          at: now,
          details: { previousAssigneeMemberId: 'mbr_uma', reason: 'assignee-silent' },
        },
      ],
    };
    expect(automaticCandidates(silentOnce, facts)).toEqual(['mbr_vic']);
    const onlyUma = { ...facts, activeMemberIds: new Set(['mbr_admin', 'mbr_uma']) };
    expect(automaticCandidates(silentOnce, onlyUma)).toEqual(['mbr_uma']);
  });

  it("takes a care-team thread's active care team", () => {
    expect(automaticCandidates(opened('care-team'), facts)).toEqual(['mbr_dan']);
  });
});

describe('choosing the assignee', () => {
  const members = ['mbr_a', 'mbr_b', 'mbr_c'];
  const none = new Map<string, number>();

  it('round robin takes the members in turn', () => {
    const rr = { mode: 'round-robin' as const, capacity: null };
    expect([1, 2, 3, 4].map((turn) => chooseAssignee(members, none, rr, turn))).toEqual([
      'mbr_b',
      'mbr_c',
      'mbr_a',
      'mbr_b',
    ]);
  });

  it('least loaded takes the member with the fewest open threads, ties in turn', () => {
    const ll = { mode: 'least-loaded' as const, capacity: null };
    const loads = new Map([
      ['mbr_a', 3],
      ['mbr_b', 1],
    ]);
    expect(chooseAssignee(members, loads, ll, 0)).toBe('mbr_c');
    const tied = new Map([['mbr_a', 1]]);
    expect(chooseAssignee(members, tied, ll, 1)).toBe('mbr_b');
    expect(chooseAssignee(members, tied, ll, 2)).toBe('mbr_c');
  });

  it('skips members at capacity, and finds nobody when all are', () => {
    const rr = { mode: 'round-robin' as const, capacity: 2 };
    const loads = new Map([
      ['mbr_a', 2],
      ['mbr_b', 2],
    ]);
    expect(chooseAssignee(members, loads, rr, 0)).toBe('mbr_c');
    expect(chooseAssignee(members, new Map([...loads, ['mbr_c', 5]]), rr, 0)).toBeNull();
  });

  it('chooses nobody when it is off or there is nobody to choose', () => {
    expect(chooseAssignee(members, none, { mode: 'off', capacity: null }, 0)).toBeNull();
    expect(chooseAssignee([], none, { mode: 'round-robin', capacity: null }, 0)).toBeNull();
  });
});

describe('an automatic assignment', () => {
  it('is the system giving a queued thread to the member, and takes it out of the queue', () => {
    const thread = opened('specific-members');
    expect(isQueued(thread)).toBe(true);
    const { state, change } = assignAutomatically(thread, 'mbr_uma', now);
    expect(change).toEqual({
      kind: 'assigned',
      assigneeMemberId: 'mbr_uma',
      previousAssigneeMemberId: null,
      byMemberId: null,
      how: 'automatic',
    });
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'assigned', actorKind: 'system' });
    expect(isQueued(state)).toBe(false);
  });
});
