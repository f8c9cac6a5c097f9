import { adminAlerts, listedOverdue } from './admin-alerts.js';
import {
  applyMessage,
  applyPracticeFact,
  emptyView,
  type MessageFact,
  type PracticeFact,
  type ThreadView,
} from './thread-view.js';

const at = (v: number) => `2026-03-01T10:${String(v).padStart(2, '0')}:00.000Z`;
const base = (v: number) => ({ threadVersion: v, occurredAt: at(v), groupId: 'g1' });
const routed: PracticeFact = {
  ...base(1),
  kind: 'routed',
  patientId: 'pat',
  routing: 'specific-members',
  memberId: null,
};
const assigned = (v: number): PracticeFact => ({
  ...base(v),
  kind: 'assigned',
  assigneeMemberId: 'a',
  previousAssigneeMemberId: null,
  byMemberId: null,
  how: 'automatic',
});
const unassigned = (v: number, reason: string): PracticeFact => ({
  ...base(v),
  kind: 'unassigned',
  previousAssigneeMemberId: 'a',
  reason,
});
const overdue = (v: number): PracticeFact => ({
  ...base(v),
  kind: 'overdue',
  awaitingSince: at(0),
  respondBy: at(v),
  targetSeconds: 600,
});

const firstMessage: MessageFact = {
  messageId: 'msg1',
  patientId: 'pat',
  recipientKind: 'group',
  groupId: 'g1',
  memberId: null,
  subject: 'Bill',
  body: 'Charged twice',
  followUp: false,
  threadVersion: 1,
  sentAt: at(0),
};

function listedView(...facts: PracticeFact[]): ThreadView {
  const view = emptyView('p1', 't1', 'pat');
  applyMessage(view, firstMessage);
  for (const fact of [routed, ...facts]) applyPracticeFact(view, fact);
  return view;
}

/** Folds `facts` into `view` as the projector does, and answers the alerts it raises. */
function foldAndAlert(view: ThreadView, ...facts: PracticeFact[]) {
  const wasOverdue = listedOverdue(view);
  const folded = facts.filter((fact) => applyPracticeFact(view, fact));
  return adminAlerts(wasOverdue, view, folded);
}

describe("the group's Admins are alerted", () => {
  it('when the thread becomes overdue, once', () => {
    const view = listedView();
    expect(foldAndAlert(view, overdue(2))).toEqual(['overdue']);
    expect(foldAndAlert(view, overdue(2))).toEqual([]);
    expect(foldAndAlert(view, overdue(3))).toEqual([]);
  });

  it('not for a thread not listed yet (no first message), but once it is', () => {
    const view = emptyView('p1', 't1', 'pat');
    applyPracticeFact(view, routed);
    expect(foldAndAlert(view, overdue(2))).toEqual([]);
    const wasOverdue = listedOverdue(view);
    applyMessage(view, firstMessage);
    expect(adminAlerts(wasOverdue, view, [])).toEqual(['overdue']);
  });

  it('when a silent assignee’s thread goes back to the queue', () => {
    expect(foldAndAlert(listedView(assigned(2)), unassigned(3, 'assignee-silent'))).toEqual([
      'returned-to-queue',
    ]);
  });

  it('not for another reason, nor when a newer assignment already holds', () => {
    expect(foldAndAlert(listedView(assigned(2)), unassigned(3, 'member-deactivated'))).toEqual([]);
    expect(foldAndAlert(listedView(assigned(4)), unassigned(3, 'assignee-silent'))).toEqual([]);
  });
});
