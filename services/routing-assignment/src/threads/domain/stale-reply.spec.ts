import { conversationVersionOf, ThreadChanged } from './stale-reply.js';
import type { AccessFacts } from './thread-access.js';
import { assignThread, openThread, receiveFollowUp, replyToThread } from './thread.js';
import type { ThreadState } from './thread-state.js';
import { patientMessage as message } from './patient-message.fixture.js';
import { NO_WORKFLOW } from './thread-workflow.js';

const now = '2026-12-03T10:00:00.000Z';

const facts: AccessFacts = {
  group: {
    name: 'Billing Team',
    members: [
      { memberId: 'mbr_uma', privilege: 'admin' },
      { memberId: 'mbr_vic', privilege: 'admin' },
    ],
  },
  careTeamMemberIds: [],
  activeMemberIds: new Set(['mbr_uma', 'mbr_vic']),
};

const opened = (): ThreadState =>
  openThread(
    message(),
    { name: 'Billing Team', recipientMode: 'specific-members', workflow: NO_WORKFLOW },
    now,
  ).state;

const reply = (
  thread: ThreadState,
  by: string,
  replyId: string,
  seen?: { patientMessages: number; replies: number },
) => replyToThread(thread, facts, by, { replyId, body: 'Paid.', practiceName: null, seen }, now);

function refusal(action: () => unknown): ThreadChanged | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof ThreadChanged) return error;
    throw error;
  }
}

describe('the stale-reply guard', () => {
  it('lets a reply through that saw the whole conversation', () => {
    const thread = opened();
    expect(conversationVersionOf(thread)).toEqual({ patientMessages: 1, replies: 0 });
    expect(reply(thread, 'mbr_uma', 'rpl_1', { patientMessages: 1, replies: 0 }).change.kind).toBe(
      'replied',
    );
  });

  it("refuses the second of two members' replies written on the same view, saying which reply landed", () => {
    const thread = opened();
    const seen = conversationVersionOf(thread);
    const first = reply(thread, 'mbr_uma', 'rpl_uma', seen).state;
    const stale = refusal(() => reply(first, 'mbr_vic', 'rpl_vic', seen));
    expect(stale).toMatchObject({ code: 'thread-changed', kind: 'conflict' });
    expect(stale!.extensions).toEqual({
      changes: {
        patientMessages: [],
        replies: [{ replyId: 'rpl_uma', repliedByMemberId: 'mbr_uma', sentAt: now }],
      },
    });
  });

  it("refuses a reply written before the patient's follow-up, naming the message", () => {
    const thread = opened();
    const seen = conversationVersionOf(thread);
    const followUp = message({ messageId: 'msg_2', followUp: true, sentAt: now });
    const followed = receiveFollowUp(thread, followUp, now)!.state;
    expect(refusal(() => reply(followed, 'mbr_uma', 'rpl_1', seen))!.extensions).toEqual({
      changes: { patientMessages: [{ messageId: 'msg_2', sentAt: now }], replies: [] },
    });
  });

  it('ignores what makes no reply stale (an assignment) and an inbox ahead of this service', () => {
    const assigned = assignThread(opened(), facts, 'mbr_uma', 'mbr_vic', now)!.state;
    expect(reply(assigned, 'mbr_vic', 'rpl_1', conversationVersionOf(opened())).change.kind).toBe(
      'replied',
    );
    expect(
      reply(opened(), 'mbr_uma', 'rpl_2', { patientMessages: 2, replies: 0 }).change.kind,
    ).toBe('replied');
  });

  it("holds today's behaviour without a seen version", () => {
    const first = reply(opened(), 'mbr_uma', 'rpl_1').state;
    expect(reply(first, 'mbr_vic', 'rpl_2').change.kind).toBe('replied');
  });

  it('checks who may reply first: an outsider learns nothing of what changed', () => {
    const first = reply(opened(), 'mbr_uma', 'rpl_1').state;
    expect(() =>
      replyToThread(
        first,
        facts,
        'mbr_stranger',
        { replyId: 'r', body: 'x', practiceName: null, seen: { patientMessages: 0, replies: 0 } },
        now,
      ),
    ).toThrow(expect.objectContaining({ code: 'thread-not-found' }));
  });
});
