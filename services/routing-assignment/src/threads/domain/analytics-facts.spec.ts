import { analyticsFactsOf } from './analytics-facts.js';
import { billingFacts, patientMessage } from './patient-message.fixture.js';
import { assignThread, openThread, receiveFollowUp, replyToThread, trashThread } from './thread.js';
import type { ThreadState } from './thread-state.js';
import { applyWorkflow, NO_WORKFLOW } from './thread-workflow.js';

const sentAt = '2026-11-26T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(sentAt) + seconds * 1000).toISOString();

const facts = billingFacts;
const target = { ...NO_WORKFLOW, responseTargetSeconds: 600 };

function opened(): ThreadState {
  const message = patientMessage({
    sentAt,
    channel: 'mobile-app',
    facilityId: 'fac_1',
    categoryIds: ['cat_1'],
  });
  const group = { name: 'Billing Team', recipientMode: 'specific-members' as const };
  const { state } = openThread(message, { ...group, workflow: target }, at(1));
  return applyWorkflow(null, state, target, 'Billing Team', 'ack', at(1)).state;
}

const reply = (thread: ThreadState, seconds: number, replyId = 'rpl_1') =>
  replyToThread(
    thread,
    facts,
    'mbr_admin',
    { replyId, body: 'PHI-MARK reply', practiceName: null },
    at(seconds),
  ).state;

describe('analyticsFactsOf: a thread step for analytics', () => {
  it('opens a thread as two facts, numbered from 1, with where it came from and no patient id', () => {
    const facts = analyticsFactsOf(null, opened());
    expect(facts.map((f) => [f.sequence, f.fact])).toEqual([
      [1, 'opened'],
      [2, 'routed'],
    ]);
    expect(facts[0]).toMatchObject({
      practiceId: 'prc_1',
      threadId: 'thr_1',
      groupId: 'grp_1',
      routing: 'specific-members',
      channel: 'mobile-app',
      facilityId: 'fac_1',
      categoryIds: ['cat_1'],
      openedAt: sentAt,
      occurredAt: sentAt,
      actor: 'patient',
      actorMemberId: null,
      status: 'not-replied',
      sinceOpenedMs: 0,
    });
    expect(JSON.stringify(facts)).not.toContain('pat_1');
  });

  it('times the first assignment and the first reply from the first message, and the reply against its target', () => {
    const start = opened();
    const assigned = assignThread(start, facts, 'mbr_admin', 'mbr_user', at(60))!.state;
    const [assignment] = analyticsFactsOf(start, assigned);
    expect(assignment).toMatchObject({
      sequence: 3,
      fact: 'assigned',
      actor: 'member',
      actorMemberId: 'mbr_admin',
      assigneeMemberId: 'mbr_user',
      previousAssigneeMemberId: null,
      reason: 'manual',
      timeToFirstAssignmentMs: 60_000,
      timeToFirstReplyMs: null,
    });
    const replied = reply(assigned, 300);
    const [first] = analyticsFactsOf(assigned, replied);
    expect(first).toMatchObject({
      fact: 'replied',
      actorMemberId: 'mbr_admin',
      status: 'replied',
      timeToFirstReplyMs: 300_000,
      responseMs: 300_000,
      responseTargetSeconds: 600,
      withinTarget: true,
    });
  });

  it('times a later reply from the follow-up it answers, not from the first message, and says when it missed the target', () => {
    const first = reply(opened(), 60);
    const followedUp = receiveFollowUp(
      first,
      patientMessage({ messageId: 'msg_2', followUp: true, sentAt: at(120) }),
      at(120),
    )!.state;
    const waiting = applyWorkflow(first, followedUp, target, 'Billing Team', 'ack', at(120)).state;
    const [followUp] = analyticsFactsOf(first, waiting);
    expect(followUp).toMatchObject({ fact: 'patient-followed-up', actor: 'patient' });
    const [late] = analyticsFactsOf(waiting, reply(waiting, 120 + 900, 'rpl_2'));
    expect(late).toMatchObject({
      fact: 'replied',
      timeToFirstReplyMs: null,
      responseMs: 900_000,
      withinTarget: false,
    });
  });

  it('names who held the thread before a reassignment', () => {
    const first = assignThread(opened(), facts, 'mbr_admin', 'mbr_user', at(60))!.state;
    const again = assignThread(first, facts, 'mbr_admin', 'mbr_admin', at(90))!.state;
    expect(analyticsFactsOf(first, again)[0]).toMatchObject({
      fact: 'assigned',
      assigneeMemberId: 'mbr_admin',
      previousAssigneeMemberId: 'mbr_user',
      timeToFirstAssignmentMs: null,
    });
  });

  it('gives nothing for a write that adds no step, and the same facts for the same step written twice', () => {
    const start = opened();
    expect(analyticsFactsOf(start, start)).toEqual([]);
    const trashed = trashThread(start, facts, 'mbr_admin', at(30))!.state;
    expect(analyticsFactsOf(start, trashed)).toEqual(analyticsFactsOf(start, trashed));
    expect(analyticsFactsOf(start, trashed)[0]).toMatchObject({ fact: 'trashed', trashed: true });
  });

  it('never publishes a stray app value: anything not a lower-case code is unknown', () => {
    const { patientContext, ...rest } = opened();
    const odd = { ...rest, patientContext: { ...patientContext!, channel: 'Mobile App ☎' } };
    expect(analyticsFactsOf(null, odd)[0]!.channel).toBe('unknown');
  });

  it('says unknown for the app, and nothing of facility or categories, on a thread stored before they were recorded', () => {
    const { patientContext: _, ...older } = opened();
    const [fact] = analyticsFactsOf(null, older);
    expect(fact).toMatchObject({ channel: 'unknown', facilityId: null, categoryIds: [] });
  });
});
