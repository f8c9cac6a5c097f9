import { MAX_TEXT_LENGTH } from './plain-text.js';
import { noteBody } from './note-body.js';
import type { AccessFacts } from './thread-access.js';
import { addNote } from './thread-note.js';
import { assignThread, openThread, trashThread } from './thread.js';
import type { ThreadState } from './thread-state.js';
import { patientMessage as message } from './patient-message.fixture.js';
import { NO_WORKFLOW } from './thread-workflow.js';

const now = '2026-12-03T10:00:00.000Z';

const group = (recipientMode: 'specific-members' | 'care-team') => ({
  name: 'Billing Team',
  recipientMode,
  workflow: NO_WORKFLOW,
});

const facts: AccessFacts = {
  group: {
    name: 'Billing Team',
    members: [
      { memberId: 'mbr_admin', privilege: 'admin' },
      { memberId: 'mbr_user', privilege: 'user' },
      { memberId: 'mbr_other', privilege: 'user' },
    ],
  },
  careTeamMemberIds: ['mbr_doctor'],
  activeMemberIds: new Set(['mbr_admin', 'mbr_user', 'mbr_other', 'mbr_doctor', 'mbr_cover']),
};

const routed = (mode: 'specific-members' | 'care-team' = 'specific-members'): ThreadState =>
  openThread(message(), group(mode), now).state;
const assigned = (): ThreadState =>
  assignThread(routed(), facts, 'mbr_admin', 'mbr_user', now)!.state;
const direct = (): ThreadState =>
  openThread(message({ recipientKind: 'member', groupId: null, memberId: 'mbr_admin' }), null, now)
    .state;

const note = (thread: ThreadState, callerId: string, body = 'Insurer called back.', f = facts) =>
  addNote(thread, f, callerId, { noteId: 'nte_1', body }, now);

function code(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('adding a note', () => {
  it.each([
    ["the group's Admin", routed, 'mbr_admin'],
    ['the assignee', assigned, 'mbr_user'],
    ["the patient's care team, on a care-team thread", () => routed('care-team'), 'mbr_doctor'],
    ['the addressee of a direct message', direct, 'mbr_admin'],
  ])('is open to %s', (_, thread, callerId) => {
    const { state, change } = note(thread(), callerId);
    expect(change).toEqual({
      kind: 'note-added',
      noteId: 'nte_1',
      byMemberId: callerId,
      body: 'Insurer called back.',
      addedAt: now,
    });
    expect(state.timeline.at(-1)).toEqual({
      kind: 'note-added',
      actorKind: 'member',
      actorId: callerId,
      at: now,
      details: { noteId: 'nte_1' },
    });
  });

  it("is open to a direct message's cover while the addressee is out", () => {
    const away = { ...facts, away: new Map([['mbr_admin', 'mbr_cover']]) };
    expect(code(() => note(direct(), 'mbr_cover', 'Covering.', away))).toBeUndefined();
    expect(code(() => note(direct(), 'mbr_cover'))).toBe('thread-not-found');
  });

  it.each([
    ['a User of the group to whom it is not assigned', routed, 'mbr_other'],
    [
      'the previous assignee once reassigned',
      () => assignThread(assigned(), facts, 'mbr_admin', 'mbr_other', now)!.state,
      'mbr_user',
    ],
    ['a member outside the group', routed, 'mbr_stranger'],
    ['the care team, on a Specific Members thread', routed, 'mbr_doctor'],
    ['an Admin of the group, on a direct message to a colleague', direct, 'mbr_user'],
  ])('is not found for %s', (_, thread, callerId) => {
    expect(code(() => note(thread(), callerId))).toBe('thread-not-found');
  });

  it('answers 404 before looking at the body: an outsider learns nothing', () => {
    expect(code(() => note(routed(), 'mbr_other', ''))).toBe('thread-not-found');
  });

  it("leaves the thread's version and every other field as they were", () => {
    const before = assigned();
    const { state } = note(before, 'mbr_admin');
    expect(state).toEqual({ ...before, timeline: [...before.timeline, state.timeline.at(-1)] });
  });

  it('is allowed in Trash, which it does not leave', () => {
    const trashed = trashThread(routed(), facts, 'mbr_admin', now).state;
    expect(note(trashed, 'mbr_admin').state.trashed).toBe(true);
  });

  it('keeps its text out of the timeline', () => {
    const { state } = note(routed(), 'mbr_admin', 'Secret staff text');
    expect(JSON.stringify(state)).not.toContain('Secret staff text');
  });
});

describe('a note body', () => {
  it.each([
    ['an empty body', '', 'invalid-note'],
    ['white space only', ' \n\t ', 'invalid-note'],
    ['a control character', 'hello\u0007', 'invalid-note'],
    ['DEL', 'hello\u007F', 'invalid-note'],
    ['20,001 characters', 'x'.repeat(MAX_TEXT_LENGTH + 1), 'note-too-long'],
  ])('refuses %s', (_, body, expected) => {
    expect(code(() => noteBody(body))).toBe(expected);
  });

  it.each([
    ['one character', 'x'],
    ['20,000 emoji (counted as characters, not UTF-16 units)', '😀'.repeat(MAX_TEXT_LENGTH)],
    ['lines and tabs', 'Called back:\r\n\tclaim resent.\n'],
  ])('takes %s as written', (_, body) => {
    expect(noteBody(body)).toBe(body);
  });
});
