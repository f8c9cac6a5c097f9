import { entryFor } from './inbox-entry.js';
import {
  applyAudience,
  applyMessage,
  applyPracticeFact,
  emptyView,
  isComplete,
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
    if ('messageId' in f) applyMessage(view, f);
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
