import { entryFor, sameEntry } from './inbox-entry.js';
import {
  applyAudience,
  applyMessage,
  applyPracticeFact,
  emptyView,
  isComplete,
  isOverdue,
  statusOf,
  type MessageFact,
  type PracticeFact,
  type ThreadView,
} from './thread-view.js';

const message = (id: string, at: string, followUp = false, version = 1): MessageFact => ({
  messageId: id,
  patientId: 'pat',
  recipientKind: 'group',
  groupId: 'g1',
  memberId: null,
  subject: 'About my bill',
  body: `body ${id}`,
  followUp,
  threadVersion: version,
  sentAt: at,
});
const base = (v: number, at: string) => ({ threadVersion: v, occurredAt: at, groupId: 'g1' });
const facts: (MessageFact | PracticeFact)[] = [
  message('msg1', '2026-01-01T10:00:00.000Z'),
  {
    ...base(1, '2026-01-01T10:00:01.000Z'),
    kind: 'routed',
    patientId: 'pat',
    routing: 'specific-members',
    memberId: null,
  },
  {
    ...base(2, '2026-01-01T10:01:00.000Z'),
    kind: 'assigned',
    assigneeMemberId: 'a',
    previousAssigneeMemberId: null,
    byMemberId: 'adm',
    how: 'manual',
  },
  {
    ...base(3, '2026-01-01T10:02:00.000Z'),
    kind: 'replied',
    replyId: 'r1',
    body: 'hi',
    senderDisplayName: 'Billing',
    repliedByMemberId: 'a',
  },
  {
    ...base(4, '2026-01-01T10:03:00.000Z'),
    kind: 'assigned',
    assigneeMemberId: 'b',
    previousAssigneeMemberId: 'a',
    byMemberId: 'adm',
    how: 'manual',
  },
  message('msg2', '2026-01-01T10:04:00.000Z', true, 2),
  { ...base(5, '2026-01-01T10:05:00.000Z'), kind: 'trashed', byMemberId: 'adm' },
  {
    ...base(6, '2026-01-01T10:06:00.000Z'),
    kind: 'restored',
    byMemberId: 'adm',
    reason: 'member-restored',
  },
  {
    ...base(7, '2026-01-01T10:07:00.000Z'),
    kind: 'unassigned',
    previousAssigneeMemberId: 'b',
    reason: 'member-deactivated',
  },
];

const fold = (order: (MessageFact | PracticeFact)[]): ThreadView => {
  const view = emptyView('p1', 't1', 'pat');
  for (const f of order) {
    if ('recipientKind' in f) applyMessage(view, f);
    else applyPracticeFact(view, f);
  }
  return view;
};

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let s = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('thread view fold', () => {
  const inOrder = fold(facts);

  it('ends in the expected state', () => {
    expect(inOrder).toMatchObject({
      routing: 'specific-members',
      assigneeMemberId: null,
      trashed: false,
      practiceVersion: 7,
      patientVersion: 2,
      subject: 'About my bill',
    });
    expect(inOrder.messages.map((m) => m.messageId)).toEqual(['msg1', 'msg2']);
    expect(inOrder.replies.map((r) => r.replyId)).toEqual(['r1']);
    expect(statusOf(inOrder)).toBe('not-replied');
    expect(inOrder.timeline).toHaveLength(facts.length);
  });

  it('gives the same state when every event is delivered twice', () => {
    expect(fold(facts.flatMap((f) => [f, f]))).toEqual(inOrder);
    expect(fold([...facts, ...facts])).toEqual(inOrder);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'gives the same state in any arrival order (seed %i)',
    (seed) => {
      expect(fold(shuffled(facts, seed))).toEqual(inOrder);
    },
  );

  it('handles a reply before the first message, and Assigned before Routed', () => {
    const view = fold([facts[3]!, facts[2]!, facts[1]!]);
    expect(isComplete(view)).toBe(false);
    applyMessage(view, facts[0] as MessageFact);
    expect(isComplete(view)).toBe(true);
    expect(statusOf(view)).toBe('replied');
    expect(view.assigneeMemberId).toBe('a');
  });

  it('is Replied after a reply and Not Replied again after a follow-up', () => {
    expect(statusOf(fold(facts.slice(0, 4)))).toBe('replied');
    expect(statusOf(fold(facts.slice(0, 6)))).toBe('not-replied');
  });

  it('puts a trashed thread in the trash bucket and out of All', () => {
    const view = fold(facts.slice(0, 7));
    const entry = entryFor(view, 'adm', 'admin', 'Ruth', 0);
    expect(entry).toMatchObject({ bucket: 'trash', inAll: false, unread: true, messageCount: 2 });
    expect(entryFor(fold(facts), 'adm', 'admin', 'Ruth', 2)).toMatchObject({
      bucket: 'not-replied',
      inAll: true,
      unread: false,
    });
  });
});

describe('the published audience', () => {
  const admin = { memberId: 'mbr_admin', reason: 'admin' as const };
  const assignee = { memberId: 'mbr_user', reason: 'assignee' as const };

  it('takes the newest audience whatever order the versions arrive in, once each', () => {
    const versions = [
      { audienceVersion: 1, members: [admin] },
      { audienceVersion: 2, members: [admin, assignee] },
      { audienceVersion: 3, members: [] },
    ];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0, 2],
    ]) {
      const view = emptyView('prc_1', 'thr_1', 'pat_1');
      for (const i of order) applyAudience(view, versions[i]!);
      expect([view.audienceVersion, view.audience]).toEqual([3, []]);
    }
    const view = emptyView('prc_1', 'thr_1', 'pat_1');
    expect(applyAudience(view, versions[1]!)).toBe(true);
    expect(applyAudience(view, versions[1]!)).toBe(false);
    expect(applyAudience(view, versions[0]!)).toBe(false);
    expect(view.audience).toEqual([admin, assignee]);
  });
});

// --- Team workflow: system assignment, return to queue, overdue, acknowledgements ---------

const at = (minute: number) => `2026-02-01T09:${String(minute).padStart(2, '0')}:00.000Z`;
const workflowBase = (v: number) => ({ threadVersion: v, occurredAt: at(v), groupId: 'g1' });
const routedAt = (v: number): PracticeFact => ({
  ...workflowBase(v),
  kind: 'routed',
  patientId: 'pat',
  routing: 'specific-members',
  memberId: null,
});
const automaticallyAssigned = (v: number, to: string): PracticeFact => ({
  ...workflowBase(v),
  kind: 'assigned',
  assigneeMemberId: to,
  previousAssigneeMemberId: null,
  byMemberId: null,
  how: 'automatic',
});
const returnedToQueue = (v: number, from: string): PracticeFact => ({
  ...workflowBase(v),
  kind: 'unassigned',
  previousAssigneeMemberId: from,
  reason: 'assignee-silent',
});
const overdueAt = (v: number): PracticeFact => ({
  ...workflowBase(v),
  kind: 'overdue',
  awaitingSince: at(0),
  respondBy: at(v),
  targetSeconds: 3600,
});
const repliedAt = (v: number): PracticeFact => ({
  ...workflowBase(v),
  kind: 'replied',
  replyId: `r${v}`,
  body: 'We are on it.',
  senderDisplayName: 'Billing',
  repliedByMemberId: 'a',
});
const trashedAt = (v: number): PracticeFact => ({
  ...workflowBase(v),
  kind: 'trashed',
  byMemberId: 'adm',
});
const restoredAt = (v: number): PracticeFact => ({
  ...workflowBase(v),
  kind: 'restored',
  byMemberId: 'adm',
  reason: 'member-restored',
});
const acknowledgedAt = (v: number, id = 'ack1'): PracticeFact => ({
  ...workflowBase(v),
  kind: 'acknowledged',
  acknowledgementId: id,
  messageId: 'msg1',
  senderDisplayName: 'Billing',
  body: 'We received your message and will answer within one business day.',
  when: 'always',
});
/** The first message, sent before everything on the practice side. */
const first = message('msg1', at(0));

describe('assignment by the system and return to queue (v2)', () => {
  it('shows an assignment without an assigner as the system’s, with how it was made', () => {
    const view = fold([first, routedAt(1), automaticallyAssigned(2, 'a')]);
    expect(view.assigneeMemberId).toBe('a');
    expect(view.timeline.at(-1)).toMatchObject({
      kind: 'assigned',
      actorKind: 'system',
      actorId: null,
      details: { assigneeMemberId: 'a', previousAssigneeMemberId: null, how: 'automatic' },
    });
  });

  it('returns a silent assignee’s thread to the queue, the step carrying the reason', () => {
    const view = fold([first, routedAt(1), automaticallyAssigned(2, 'a'), returnedToQueue(3, 'a')]);
    expect(view.assigneeMemberId).toBeNull();
    expect(view.timeline.at(-1)).toMatchObject({
      kind: 'unassigned',
      actorKind: 'system',
      details: { previousAssigneeMemberId: 'a', reason: 'assignee-silent' },
    });
  });

  it('keeps the newest assignment word whatever order they arrive in', () => {
    const late = fold([first, routedAt(1), returnedToQueue(3, 'a'), automaticallyAssigned(2, 'a')]);
    expect(late.assigneeMemberId).toBeNull();
    const reassigned = fold([automaticallyAssigned(4, 'b'), returnedToQueue(3, 'a'), first]);
    expect(reassigned.assigneeMemberId).toBe('b');
  });
});

describe('overdue', () => {
  const listed = [first, routedAt(1)];

  it('is set by MessageResponseOverdue, a system step visible with the timeline, on the entry too', () => {
    const view = fold([...listed, overdueAt(2)]);
    expect([view.overdue, isOverdue(view)]).toEqual([true, true]);
    expect(view.timeline.at(-1)).toEqual({
      key: 't:2',
      kind: 'overdue',
      at: at(2),
      actorKind: 'system',
      actorId: null,
      details: { awaitingSince: at(0), respondBy: at(2), targetSeconds: 3600, version: 2 },
    });
    expect(entryFor(view, 'adm', 'admin', 'Ruth', 0)).toMatchObject({
      overdue: true,
      bucket: 'not-replied',
    });
  });

  it('is cleared by a later reply, and by a later trash (a restore does not bring it back)', () => {
    const replied = fold([...listed, overdueAt(2), repliedAt(3)]);
    expect([replied.overdue, isOverdue(replied)]).toEqual([false, false]);
    expect(entryFor(replied, 'adm', 'admin', 'Ruth', 0)).toMatchObject({
      overdue: false,
      bucket: 'replied',
    });
    const trashed = fold([...listed, overdueAt(2), trashedAt(3)]);
    expect(isOverdue(trashed)).toBe(false);
    expect(entryFor(trashed, 'adm', 'admin', 'Ruth', 0).overdue).toBe(false);
    expect(isOverdue(fold([...listed, overdueAt(2), trashedAt(3), restoredAt(4)]))).toBe(false);
  });

  it('respects versions: an older overdue arriving after the reply changes nothing', () => {
    const lateOverdue = fold([...listed, repliedAt(3), overdueAt(2)]);
    const inOrder = fold([...listed, overdueAt(2), repliedAt(3)]);
    expect(lateOverdue).toEqual(inOrder);
    expect(lateOverdue.overdue).toBe(false);
    // Both steps are history, whichever came first.
    expect(lateOverdue.timeline.map((s) => s.kind)).toEqual([
      'sent',
      'routed',
      'overdue',
      'replied',
    ]);
    // An older reply arriving after a newer overdue leaves it overdue.
    const followUp = message('msg2', at(4), true, 2);
    const overdueAgain = fold([...listed, overdueAt(5), followUp, repliedAt(3)]);
    expect(isOverdue(overdueAgain)).toBe(true);
  });

  it('starts a new wait with a follow-up after a reply: not overdue until the new target passes', () => {
    const followUp = message('msg2', at(4), true, 2);
    const waiting = fold([...listed, overdueAt(2), repliedAt(3), followUp]);
    expect(statusOf(waiting)).toBe('not-replied');
    expect(isOverdue(waiting)).toBe(false);
    expect(isOverdue(fold([...listed, overdueAt(2), repliedAt(3), followUp, overdueAt(5)]))).toBe(
      true,
    );
  });

  it('shows as overdue only once the follow-up that started the wait is known (cross-topic)', () => {
    const followUp = message('msg2', at(4), true, 2);
    const view = fold([...listed, repliedAt(3), overdueAt(5)]);
    expect(isOverdue(view)).toBe(false); // Replied, as far as this view knows
    applyMessage(view, followUp);
    expect(isOverdue(view)).toBe(true);
  });
});

describe('acknowledgements', () => {
  it('are shown apart from replies: the thread stays Not Replied and no reply count moves', () => {
    const view = fold([first, routedAt(1), acknowledgedAt(2)]);
    expect(view.replies).toEqual([]);
    expect(view.acknowledgements).toEqual([
      {
        acknowledgementId: 'ack1',
        messageId: 'msg1',
        body: 'We received your message and will answer within one business day.',
        sentAt: at(2),
        senderDisplayName: 'Billing',
        when: 'always',
        threadVersion: 2,
      },
    ]);
    expect(statusOf(view)).toBe('not-replied');
    expect(entryFor(view, 'adm', 'admin', 'Ruth', 0)).toMatchObject({
      bucket: 'not-replied',
      unread: true,
      messageCount: 1,
    });
  });

  it('are a system step that holds no text', () => {
    const view = fold([first, routedAt(1), acknowledgedAt(2)]);
    const step = view.timeline.at(-1)!;
    expect(step).toMatchObject({
      kind: 'acknowledged',
      actorKind: 'system',
      actorId: null,
      details: { acknowledgementId: 'ack1', messageId: 'msg1', when: 'always', version: 2 },
    });
    expect(JSON.stringify(view.timeline)).not.toContain('business day');
  });

  it('do not clear overdue (the target keeps running)', () => {
    expect(isOverdue(fold([first, routedAt(1), overdueAt(2), acknowledgedAt(3)]))).toBe(true);
  });

  it('are stored once per acknowledgement id, even published twice under two versions', () => {
    const view = fold([first, routedAt(1), acknowledgedAt(2)]);
    expect(applyPracticeFact(view, acknowledgedAt(2))).toBe(false);
    applyPracticeFact(view, acknowledgedAt(3));
    expect(view.acknowledgements.map((a) => a.acknowledgementId)).toEqual(['ack1']);
  });
});

describe('team workflow facts in any order', () => {
  // After the reply (v7, at minute 7): it starts the wait that v8 finds overdue.
  const followUp = message('msg2', '2026-02-01T09:07:30.000Z', true, 2);
  const workflow: (MessageFact | PracticeFact)[] = [
    first,
    routedAt(1),
    acknowledgedAt(2),
    automaticallyAssigned(3, 'a'),
    overdueAt(4),
    returnedToQueue(5, 'a'),
    repliedAt(7),
    followUp,
    overdueAt(8),
  ];
  const inOrder = fold(workflow);

  it('ends overdue, unassigned, with one reply and one acknowledgement', () => {
    expect(inOrder).toMatchObject({ overdue: true, overdueVersion: 8, assigneeMemberId: null });
    expect(isOverdue(inOrder)).toBe(true);
    expect([inOrder.replies.length, inOrder.acknowledgements.length]).toEqual([1, 1]);
    expect(inOrder.timeline).toHaveLength(workflow.length);
  });

  it('gives the same state when every event is delivered twice', () => {
    expect(fold(workflow.flatMap((f) => [f, f]))).toEqual(inOrder);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'gives the same state in any order (seed %i)',
    (seed) => {
      expect(fold(shuffled(workflow, seed))).toEqual(inOrder);
    },
  );
});

describe('entries stored before a field existed', () => {
  it('are rewritten with it (an absent field is not the same as false)', () => {
    const entry = entryFor(fold([first, routedAt(1)]), 'adm', 'admin', 'Ruth', 0);
    const { overdue: _absent, ...stored } = entry;
    expect(sameEntry(stored as typeof entry, entry)).toBe(false);
    expect(sameEntry(entry, { ...entry })).toBe(true);
  });
});
