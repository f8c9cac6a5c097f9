import { MAX_REPLY_LENGTH, replyBody } from './reply-body.js';
import type { AccessFacts } from './thread-access.js';
import {
  openThread,
  patientFacingSender,
  receiveFollowUp,
  replyToThread,
  restoreThread,
  routeWaitingThread,
  trashThread,
  assignThread,
  needsReconsidering,
} from './thread.js';
import type { ThreadState } from './thread-state.js';
import { billingFacts, patientMessage as message } from './patient-message.fixture.js';
import { NO_WORKFLOW } from './thread-workflow.js';

const now = '2026-11-26T10:00:00.000Z';

const billing = {
  name: 'Billing Team',
  recipientMode: 'specific-members' as const,
  workflow: NO_WORKFLOW,
};

const facts = billingFacts;

const routed = (): ThreadState => openThread(message(), billing, now).state;

function code(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('routing', () => {
  it('routes a Specific Members group message unassigned, as version 1', () => {
    const { state, change } = openThread(message(), billing, now);
    expect(change).toEqual({ kind: 'routed' });
    expect(state).toMatchObject({
      routing: 'specific-members',
      groupId: 'grp_1',
      groupName: 'Billing Team',
      addresseeMemberId: null,
      assigneeMemberId: null,
      status: 'not-replied',
      trashed: false,
      version: 1,
      messageIds: ['msg_1'],
    });
    expect(state.timeline.map((e) => [e.kind, e.actorKind, e.actorId])).toEqual([
      ['sent', 'patient', 'pat_1'],
      ['routed', 'system', null],
    ]);
  });

  it("routes a care-team group message by the group's recipient mode", () => {
    const { state } = openThread(
      message(),
      { name: 'Care', recipientMode: 'care-team', workflow: NO_WORKFLOW },
      now,
    );
    expect(state.routing).toBe('care-team');
  });

  it('routes a direct message to its addressee', () => {
    const { state, change } = openThread(
      message({ recipientKind: 'member', groupId: null, memberId: 'mbr_x' }),
      null,
      now,
    );
    expect(change).toEqual({ kind: 'routed' });
    expect(state).toMatchObject({ routing: 'direct', groupId: null, addresseeMemberId: 'mbr_x' });
  });

  it('keeps a message to a group not known yet waiting, then routes it when the group arrives', () => {
    const { state, change } = openThread(message(), null, now);
    expect(change).toBeNull();
    expect(state).toMatchObject({ routing: null, version: 0 });
    const later = routeWaitingThread(state, billing, now)!;
    expect(later.change).toEqual({ kind: 'routed' });
    expect(later.state).toMatchObject({ routing: 'specific-members', version: 1 });
    expect(routeWaitingThread(later.state, billing, now)).toBeNull();
  });
});

describe('follow-ups', () => {
  it('put a Replied thread back to Not Replied, once per message, without a version step', () => {
    const replied = replyToThread(
      routed(),
      facts,
      'mbr_admin',
      { replyId: 'rpl_1', body: 'Done.', practiceName: null },
      now,
    ).state;
    expect(replied.status).toBe('replied');
    const followUp = message({ messageId: 'msg_2', followUp: true, threadVersion: 2 });
    const reopened = receiveFollowUp(replied, followUp, now)!.state;
    expect(reopened).toMatchObject({ status: 'not-replied', version: replied.version });
    expect(reopened.timeline.at(-1)).toEqual({
      kind: 'follow-up',
      actorKind: 'patient',
      actorId: 'pat_1',
      at: followUp.sentAt,
      details: { messageId: 'msg_2', intakeThreadVersion: 2 },
    });
    expect(receiveFollowUp(reopened, followUp, now)).toBeNull();
    expect(receiveFollowUp(reopened, message(), now)).toBeNull();
  });
});

describe('replies', () => {
  it("go out under the group's current name, never the member's, and mark the thread Replied", () => {
    const renamed = { ...facts, group: { ...facts.group!, name: 'Billing & Payments' } };
    const { state, change } = replyToThread(
      { ...routed(), assigneeMemberId: 'mbr_user' },
      renamed,
      'mbr_user',
      { replyId: 'rpl_1', body: 'Hello', practiceName: 'Riverside' },
      now,
    );
    expect(change).toEqual({
      kind: 'replied',
      replyId: 'rpl_1',
      byMemberId: 'mbr_user',
      senderDisplayName: 'Billing & Payments',
      body: 'Hello',
    });
    expect(state).toMatchObject({ status: 'replied', groupName: 'Billing & Payments', version: 2 });
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'replied', details: { replyId: 'rpl_1' } });
    expect(JSON.stringify(state.timeline.at(-1))).not.toContain('Hello');
  });

  it("answer a direct message under the practice's name", () => {
    const direct = openThread(
      message({ recipientKind: 'member', groupId: null, memberId: 'mbr_user' }),
      null,
      now,
    ).state;
    const directFacts = { ...facts, group: null };
    expect(patientFacingSender(direct, directFacts, 'Riverside Clinic')).toBe('Riverside Clinic');
    expect(code(() => patientFacingSender(direct, directFacts, null))).toBe(
      'sender-name-unavailable',
    );
  });

  it('are refused on a thread in Trash, as is assigning it', () => {
    const trashed = trashThread(routed(), facts, 'mbr_admin', now).state;
    const reply = { replyId: 'r', body: 'x', practiceName: null };
    expect(code(() => replyToThread(trashed, facts, 'mbr_admin', reply, now))).toBe(
      'thread-in-trash',
    );
    expect(code(() => assignThread(trashed, facts, 'mbr_admin', 'mbr_user', now))).toBe(
      'thread-in-trash',
    );
  });
});

describe('trash', () => {
  it('moves a thread to Trash and back, once each', () => {
    const trashed = trashThread(routed(), facts, 'mbr_admin', now);
    expect(trashed.change).toEqual({ kind: 'trashed', byMemberId: 'mbr_admin' });
    expect(trashed.state).toMatchObject({ trashed: true, version: 2 });
    expect(code(() => trashThread(trashed.state, facts, 'mbr_admin', now))).toBe(
      'already-in-trash',
    );
    const restored = restoreThread(trashed.state, facts, 'mbr_admin', now);
    expect(restored.change).toEqual({
      kind: 'restored',
      byMemberId: 'mbr_admin',
      reason: 'member-restored',
      messageId: null,
    });
    expect(restored.state).toMatchObject({ trashed: false, version: 3 });
    expect(code(() => restoreThread(restored.state, facts, 'mbr_admin', now))).toBe('not-in-trash');
  });

  it('takes a thread out of Trash when the patient follows up: Not Replied, restored, saying why', () => {
    const replied = replyToThread(
      routed(),
      facts,
      'mbr_admin',
      { replyId: 'rpl_1', body: 'Done.', practiceName: null },
      now,
    ).state;
    const trashed = trashThread(replied, facts, 'mbr_admin', now).state;
    const later = '2026-11-26T11:00:00.000Z';
    const reopened = receiveFollowUp(
      trashed,
      message({ messageId: 'msg_2', followUp: true }),
      later,
    )!;
    expect(reopened.state).toMatchObject({
      trashed: false,
      status: 'not-replied',
      version: trashed.version + 1,
    });
    expect(reopened.change).toEqual({
      kind: 'restored',
      byMemberId: null,
      reason: 'patient-follow-up',
      messageId: 'msg_2',
    });
    expect(reopened.state.timeline.at(-1)).toEqual({
      kind: 'restored',
      actorKind: 'system',
      actorId: null,
      at: later,
      details: { reason: 'patient-follow-up', messageId: 'msg_2' },
    });
  });
});

describe('reconsidering after a directory or settings change', () => {
  const assigned = (): ThreadState =>
    assignThread(routed(), facts, 'mbr_admin', 'mbr_user', now)!.state;
  const published = (memberIds: [string, 'admin' | 'assignee'][]) =>
    memberIds.map(([memberId, reason]) => ({ memberId, reason }));
  const withoutUser: AccessFacts = {
    ...facts,
    group: { name: 'Billing Team', members: [{ memberId: 'mbr_admin', privilege: 'admin' }] },
  };

  it('leaves alone a thread whose assignee and published audience still follow from the facts', () => {
    const audience = published([['mbr_admin', 'admin']]);
    expect(needsReconsidering(routed(), withoutUser, audience, 'member-changed')).toBe(false);
  });

  it('takes up a thread whose assignee left the group, or whose audience is not the one published', () => {
    const audience = published([
      ['mbr_admin', 'admin'],
      ['mbr_user', 'assignee'],
    ]);
    expect(needsReconsidering(assigned(), facts, audience, 'member-changed')).toBe(false);
    expect(needsReconsidering(assigned(), withoutUser, audience, 'member-changed')).toBe(true);
    const inactiveAdmin = { ...facts, activeMemberIds: new Set(['mbr_user']) };
    expect(needsReconsidering(assigned(), inactiveAdmin, audience, 'member-changed')).toBe(true);
  });
});

describe('a reply body', () => {
  it.each([
    ['an empty body', '', 'invalid-reply'],
    ['white space only', ' \n\t ', 'invalid-reply'],
    ['a control character', 'hello\u0007', 'invalid-reply'],
    ['20,001 characters', 'x'.repeat(MAX_REPLY_LENGTH + 1), 'reply-too-long'],
  ])('refuses %s', (_, body, expected) => {
    expect(code(() => replyBody(body))).toBe(expected);
  });

  it.each([
    ['one character', 'x'],
    ['20,000 characters', 'x'.repeat(MAX_REPLY_LENGTH)],
    ['20,000 emoji (counted as characters, not UTF-16 units)', '😀'.repeat(MAX_REPLY_LENGTH)],
    ['lines and tabs', 'Dear patient,\r\n\tyour results are in.\n'],
  ])('takes %s as written', (_, body) => {
    expect(replyBody(body)).toBe(body);
  });
});
