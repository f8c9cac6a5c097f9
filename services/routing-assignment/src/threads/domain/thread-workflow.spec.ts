import { billingFacts, patientMessage } from './patient-message.fixture.js';
import {
  assignThread,
  openThread,
  receiveFollowUp,
  replyToThread,
  restoreThread,
  trashThread,
} from './thread.js';
import type { PatientMessage, ThreadState, Transition } from './thread-state.js';
import {
  applyWorkflow,
  fireDeadline,
  nextDeadline,
  NO_WORKFLOW,
  type ThreadWorkflow,
} from './thread-workflow.js';

const sentAt = '2026-11-26T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(sentAt) + seconds * 1000).toISOString();

const message = (overrides: Partial<PatientMessage> = {}) =>
  patientMessage({ sentAt, ...overrides });

const facts = billingFacts;

const workflow = (fields: Partial<ThreadWorkflow>): ThreadWorkflow => ({
  ...NO_WORKFLOW,
  ...fields,
});

/** The thread after a change, as ThreadChanges follows the workflow (acknowledgement ids numbered). */
function follow(
  before: ThreadState | null,
  after: ThreadState,
  settings: ThreadWorkflow,
  now: string,
): { state: ThreadState; steps: Transition[] } {
  return applyWorkflow(before, after, settings, 'Billing Team', `ack_${after.version}`, now);
}

function opened(settings: ThreadWorkflow): { state: ThreadState; steps: Transition[] } {
  const group = { name: 'Billing Team', recipientMode: 'specific-members' as const };
  const { state } = openThread(message(), { ...group, workflow: settings }, at(0));
  return follow(null, state, settings, at(0));
}

const reply = (thread: ThreadState, now: string) =>
  replyToThread(
    thread,
    facts,
    'mbr_admin',
    { replyId: 'rpl', body: 'Paid.', practiceName: null },
    now,
  ).state;

const followUp = (thread: ThreadState, messageId: string, now: string) =>
  receiveFollowUp(thread, message({ messageId, followUp: true, sentAt: now }), now)!.state;

describe('response target', () => {
  const target = workflow({ responseTargetSeconds: 60 });

  it('is fixed when the wait begins, from the patient message, and falls due once', () => {
    const { state } = opened(target);
    expect(state.awaitingSince).toBe(sentAt);
    expect(state.responseTarget).toEqual({ seconds: 60, respondBy: at(60) });
    expect(nextDeadline(state)).toBe(at(60));
    expect(fireDeadline(state, at(59))).toBeNull();

    const fired = fireDeadline(state, at(61))!;
    expect(fired.change).toEqual({
      kind: 'overdue',
      awaitingSince: sentAt,
      respondBy: at(60),
      targetSeconds: 60,
    });
    expect(fired.state.overdue).toBe(true);
    expect(fired.state.timeline.at(-1)).toMatchObject({ kind: 'overdue', actorKind: 'system' });
    // Fired: no deadline runs any more, a second sight changes nothing.
    expect(nextDeadline(fired.state)).toBeNull();
    expect(fireDeadline(fired.state, at(120))).toBeNull();
  });

  it('does not move when the patient writes again in the same wait', () => {
    const { state } = opened(target);
    const again = follow(state, followUp(state, 'msg_2', at(30)), target, at(30)).state;
    expect(again.responseTarget).toEqual({ seconds: 60, respondBy: at(60) });
  });

  it('is cleared by a reply or a trash, and a later patient message starts a new one', () => {
    const { state } = opened(target);
    const overdue = fireDeadline(state, at(61))!.state;
    const replied = follow(overdue, reply(overdue, at(70)), target, at(70)).state;
    expect(replied).toMatchObject({ awaitingSince: null, responseTarget: null, overdue: false });
    expect(nextDeadline(replied)).toBeNull();
    expect(fireDeadline(replied, at(200))).toBeNull();

    const next = follow(replied, followUp(replied, 'msg_2', at(100)), target, at(100)).state;
    expect(next).toMatchObject({
      awaitingSince: at(100),
      responseTarget: { seconds: 60, respondBy: at(160) },
      overdue: false,
    });

    const trashed = follow(
      next,
      trashThread(next, facts, 'mbr_admin', at(110)).state,
      target,
      at(110),
    );
    expect(nextDeadline(trashed.state)).toBeNull();
    const restored = restoreThread(trashed.state, facts, 'mbr_admin', at(120)).state;
    // Back out of Trash and still not replied: the wait begins again at the restore.
    expect(follow(trashed.state, restored, target, at(120)).state.responseTarget).toEqual({
      seconds: 60,
      respondBy: at(180),
    });
  });

  it('is counted in business time', () => {
    // 09:00–17:00 UTC on weekdays: a Thursday 16:30 message with a one-hour target is due Friday 09:30.
    const hours = {
      timeZone: 'UTC',
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
        day,
        opens: '09:00',
        closes: '17:00',
      })),
      closedDates: [],
    };
    const group = { name: 'Billing Team', recipientMode: 'specific-members' as const };
    const settings = workflow({ responseTargetSeconds: 3600, businessHours: hours });
    const thursday = '2026-11-26T16:30:00.000Z';
    const { state } = openThread(
      message({ sentAt: thursday }),
      { ...group, workflow: settings },
      thursday,
    );
    expect(follow(null, state, settings, thursday).state.responseTarget).toEqual({
      seconds: 3600,
      respondBy: '2026-11-27T09:30:00.000Z',
    });
  });

  it('runs for no direct message and no group without a target', () => {
    const direct = openThread(
      message({ recipientKind: 'member', groupId: null, memberId: 'mbr_user' }),
      null,
      at(0),
    );
    expect(follow(null, direct.state, target, at(0)).state.responseTarget).toBeNull();
    expect(opened(NO_WORKFLOW).state.responseTarget).toBeNull();
  });
});

describe('automatic acknowledgement', () => {
  const text = 'We have your message. For emergencies call 911.';

  it("answers the patient message that began a wait, once, under the group's name, and is no reply", () => {
    const settings = workflow({ acknowledgement: { when: 'always', text } });
    const { state, steps } = opened(settings);
    expect(steps.map((s) => s.change)).toEqual([
      {
        kind: 'acknowledged',
        acknowledgementId: 'ack_1',
        messageId: 'msg_1',
        senderDisplayName: 'Billing Team',
        body: text,
        when: 'always',
      },
    ]);
    expect(state.status).toBe('not-replied');
    expect(state.timeline.at(-1)).toMatchObject({ kind: 'acknowledged', actorKind: 'system' });
    // Writing again in the same wait: no second acknowledgement.
    expect(follow(state, followUp(state, 'msg_2', at(10)), settings, at(10)).steps).toEqual([]);
    // After a reply, the next patient message begins a new wait and hears it again.
    const replied = follow(state, reply(state, at(20)), settings, at(20)).state;
    const next = follow(replied, followUp(replied, 'msg_3', at(30)), settings, at(30));
    expect(next.steps.map((s) => s.change)).toEqual([
      expect.objectContaining({ kind: 'acknowledged', messageId: 'msg_3' }),
    ]);
  });

  it('outside business hours only, when the group says so', () => {
    const weekdays = {
      timeZone: 'America/New_York',
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
        day,
        opens: '08:00',
        closes: '18:00',
      })),
      closedDates: [],
    };
    const settings = workflow({
      businessHours: weekdays,
      acknowledgement: { when: 'outside-business-hours', text },
    });
    const group = {
      name: 'Billing Team',
      recipientMode: 'specific-members' as const,
      workflow: settings,
    };
    const ackOf = (sent: string) =>
      follow(null, openThread(message({ sentAt: sent }), group, sent).state, settings, sent).steps;
    // Thursday 10:00 in New York (15:00Z): open. Thursday 20:00 (01:00Z Friday): closed.
    expect(ackOf('2026-11-26T15:00:00.000Z')).toEqual([]);
    expect(ackOf('2026-11-27T01:00:00.000Z').map((s) => s.change.kind)).toEqual(['acknowledged']);
  });
});

describe('return to queue', () => {
  const settings = workflow({ returnToQueueSeconds: 30 });
  const assigned = (now: string) => {
    const { state } = opened(settings);
    const transition = assignThread(state, facts, 'mbr_admin', 'mbr_user', now)!;
    return follow(state, transition.state, settings, now).state;
  };

  it('unassigns a silent assignee once, from the assignment, saying why', () => {
    const state = assigned(at(10));
    expect(state.silentBy).toBe(at(40));
    expect(fireDeadline(state, at(39))).toBeNull();
    const fired = fireDeadline(state, at(40))!;
    expect(fired.change).toEqual({
      kind: 'unassigned',
      previousAssigneeMemberId: 'mbr_user',
      reason: 'assignee-silent',
    });
    expect(fired.state).toMatchObject({ assigneeMemberId: null, silentBy: null });
    expect(fireDeadline(fired.state, at(100))).toBeNull();
  });

  it("counts from the patient's latest message when it came after the assignment", () => {
    const state = assigned(at(10));
    const later = follow(state, followUp(state, 'msg_2', at(25)), settings, at(25)).state;
    expect(later.silentBy).toBe(at(55));
  });

  it('stops when the assignee replies', () => {
    const state = assigned(at(10));
    const replied = follow(state, reply(state, at(20)), settings, at(20)).state;
    expect(replied.silentBy).toBeNull();
    expect(nextDeadline(replied)).toBeNull();
  });

  it('fires the earlier deadline first, one per round', () => {
    const both = workflow({ responseTargetSeconds: 20, returnToQueueSeconds: 30 });
    const { state } = opened(both);
    const withAssignee = follow(
      state,
      assignThread(state, facts, 'mbr_admin', 'mbr_user', at(5))!.state,
      both,
      at(5),
    ).state;
    expect(nextDeadline(withAssignee)).toBe(at(20));
    const overdue = fireDeadline(withAssignee, at(60))!;
    expect(overdue.change.kind).toBe('overdue');
    expect(nextDeadline(overdue.state)).toBe(at(35));
    expect(fireDeadline(overdue.state, at(60))!.change.kind).toBe('unassigned');
  });
});
