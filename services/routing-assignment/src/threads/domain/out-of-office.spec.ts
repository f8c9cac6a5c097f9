import { automaticCandidates } from './automatic-assignment.js';
import { assigneeIsAway, handOverFromAwayAssignee } from './out-of-office.js';
import { assignThread, needsReconsidering, openThread, replyToThread } from './thread.js';
import { canView, isCover, type AccessFacts } from './thread-access.js';
import { threadAudience } from './thread-audience.js';
import type { PatientMessage, ThreadState } from './thread-state.js';
import { NO_WORKFLOW } from './thread-workflow.js';

const now = '2026-12-03T10:00:00.000Z';

const message = (fields: Partial<PatientMessage>): PatientMessage => ({
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
  ...fields,
});

const group = {
  name: 'Billing Team',
  recipientMode: 'specific-members' as const,
  workflow: NO_WORKFLOW,
};
const groupThread = (assigneeMemberId: string | null): ThreadState => ({
  ...openThread(message({}), group, now).state,
  assigneeMemberId,
});
const directTo = (memberId: string): ThreadState =>
  openThread(message({ recipientKind: 'member', groupId: null, memberId }), null, now).state;

/** Ann is out, covered by Bo (in the group); Cy is out with nobody covering; Di is outside the group. */
const facts = (away: [string, string | null][]): AccessFacts => ({
  group: {
    name: 'Billing Team',
    members: [
      { memberId: 'mbr_admin', privilege: 'admin' },
      { memberId: 'mbr_ann', privilege: 'user' },
      { memberId: 'mbr_bo', privilege: 'user' },
      { memberId: 'mbr_cy', privilege: 'user' },
    ],
  },
  careTeamMemberIds: [],
  activeMemberIds: new Set(['mbr_admin', 'mbr_ann', 'mbr_bo', 'mbr_cy', 'mbr_di']),
  away: new Map(away),
});

describe("an away assignee's threads", () => {
  it('go to the cover when the cover may hold them (how: cover)', () => {
    const moved = handOverFromAwayAssignee(
      groupThread('mbr_ann'),
      facts([['mbr_ann', 'mbr_bo']]),
      now,
    );
    expect(moved?.state.assigneeMemberId).toBe('mbr_bo');
    expect(moved?.change).toEqual({
      kind: 'assigned',
      assigneeMemberId: 'mbr_bo',
      previousAssigneeMemberId: 'mbr_ann',
      byMemberId: null,
      how: 'cover',
    });
    expect(moved?.state.timeline.at(-1)).toMatchObject({ kind: 'assigned', actorKind: 'system' });
  });

  it.each([
    ['nobody covers', [['mbr_ann', null]]],
    ['the cover is not in the group', [['mbr_ann', 'mbr_di']]],
    [
      'the cover is out too',
      [
        ['mbr_ann', 'mbr_bo'],
        ['mbr_bo', null],
      ],
    ],
  ] as [string, [string, string | null][]][])('go back to the queue when %s', (_, away) => {
    const moved = handOverFromAwayAssignee(groupThread('mbr_ann'), facts(away), now);
    expect(moved?.state.assigneeMemberId).toBeNull();
    expect(moved?.change).toEqual({
      kind: 'unassigned',
      previousAssigneeMemberId: 'mbr_ann',
      reason: 'assignee-out-of-office',
    });
  });

  it('stay where they are while the assignee is in', () => {
    const thread = groupThread('mbr_ann');
    expect(handOverFromAwayAssignee(thread, facts([['mbr_cy', null]]), now)).toBeNull();
    expect(assigneeIsAway(thread, facts([]))).toBe(false);
    expect(
      needsReconsidering(
        thread,
        facts([]),
        threadAudience(thread, facts([])),
        'out-of-office-changed',
      ),
    ).toBe(false);
    expect(
      needsReconsidering(
        thread,
        facts([['mbr_ann', null]]),
        threadAudience(thread, facts([])),
        'out-of-office-changed',
      ),
    ).toBe(true);
  });

  it('are not given to an away member, by hand or automatically', () => {
    const away = facts([['mbr_ann', 'mbr_bo']]);
    expect(() => assignThread(groupThread(null), away, 'mbr_admin', 'mbr_ann', now)).toThrow(
      expect.objectContaining({ code: 'assignee-out-of-office' }),
    );
    expect(
      assignThread(groupThread(null), away, 'mbr_admin', 'mbr_bo', now)?.state.assigneeMemberId,
    ).toBe('mbr_bo');
    expect(automaticCandidates(groupThread(null), away)).toEqual(['mbr_bo', 'mbr_cy']);
  });
});

describe("an away member's direct messages", () => {
  const thread = directTo('mbr_ann');

  it('are seen, and may be answered, by their cover for the period', () => {
    const away = facts([['mbr_ann', 'mbr_bo']]);
    expect(threadAudience(thread, away)).toEqual([
      { memberId: 'mbr_ann', reason: 'addressee' },
      { memberId: 'mbr_bo', reason: 'cover' },
    ]);
    expect(isCover(thread, away, 'mbr_bo')).toBe(true);
    const reply = replyToThread(
      thread,
      away,
      'mbr_bo',
      { replyId: 'rpl_1', body: 'Covering.', practiceName: 'Riverside' },
      now,
    );
    // The patient sees the practice, never the cover.
    expect(reply.change).toMatchObject({ kind: 'replied', senderDisplayName: 'Riverside' });
  });

  it("are the addressee's alone when they are in, nobody covers, or the cover is out too", () => {
    for (const away of [
      facts([]),
      facts([['mbr_ann', null]]),
      facts([
        ['mbr_ann', 'mbr_bo'],
        ['mbr_bo', null],
      ]),
    ]) {
      expect(threadAudience(thread, away)).toEqual([{ memberId: 'mbr_ann', reason: 'addressee' }]);
      expect(canView(thread, away, 'mbr_bo')).toBe(false);
    }
  });

  it('are not seen by a deactivated cover', () => {
    const away = { ...facts([['mbr_ann', 'mbr_bo']]), activeMemberIds: new Set(['mbr_ann']) };
    expect(isCover(thread, away, 'mbr_bo')).toBe(false);
  });
});
