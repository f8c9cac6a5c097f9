import { PatientMessagingRuleViolation } from './patient-messaging-errors.js';
import { earlierSend, followUp, ownThread, startThread, type Thread } from './thread.js';

const ruth = { practiceId: 'prc_1', patientId: 'pat_ruth' };

const opened = () =>
  startThread({
    ...ruth,
    threadId: 'thr_1',
    messageId: 'msg_1',
    recipient: { kind: 'group', groupId: 'grp_billing' },
    subject: '  Invoice question ',
    body: 'Why was I charged twice?',
    sentAt: '2026-01-05T10:00:00.000Z',
    requestFingerprint: 'fp_1',
  });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PatientMessagingRuleViolation) return `${error.kind}:${error.code}`;
    throw error;
  }
  return 'accepted';
}

describe('a thread', () => {
  it('opens at version 1 with its first message', () => {
    const { thread, message } = opened();
    expect(thread).toEqual({
      ...ruth,
      threadId: 'thr_1',
      recipient: { kind: 'group', groupId: 'grp_billing' },
      subject: 'Invoice question',
      messages: [
        {
          messageId: 'msg_1',
          sentAt: '2026-01-05T10:00:00.000Z',
          followUp: false,
          requestFingerprint: 'fp_1',
        },
      ],
      version: 1,
    });
    expect(message).toMatchObject({
      followUp: false,
      threadVersion: 1,
      subject: 'Invoice question',
    });
  });

  it('does not keep message bodies', () => {
    expect(JSON.stringify(opened().thread)).not.toContain('charged twice');
  });

  it('takes follow-ups with the same subject and recipient, one version per message', () => {
    const first = opened().thread;
    const second = followUp(first, {
      messageId: 'msg_2',
      body: 'Any news?',
      sentAt: '2026-01-06T10:00:00.000Z',
      requestFingerprint: null,
    });
    const third = followUp(second.thread, {
      messageId: 'msg_3',
      body: 'Hello?',
      sentAt: '2026-01-07T10:00:00.000Z',
      requestFingerprint: null,
    });
    expect(second.message).toMatchObject({
      threadId: 'thr_1',
      followUp: true,
      threadVersion: 2,
      subject: 'Invoice question',
      recipient: { kind: 'group', groupId: 'grp_billing' },
      body: 'Any news?',
    });
    expect(third.thread.version).toBe(3);
    expect(third.thread.messages.map((m) => m.messageId)).toEqual(['msg_1', 'msg_2', 'msg_3']);
    expect(first.version).toBe(1);
  });

  it('refuses a follow-up without a body', () => {
    const draft = { messageId: 'm', body: '  ', sentAt: 'now', requestFingerprint: null };
    expect(codeOf(() => followUp(opened().thread, draft))).toBe('invalid:invalid-body');
  });

  it("is found only by its patient, in its practice; others get the missing thread's answer", () => {
    const thread: Thread = opened().thread;
    expect(ownThread(thread, ruth)).toBe(thread);
    const missing = codeOf(() => ownThread(null, ruth));
    expect(missing).toBe('not-found:thread-not-found');
    expect(codeOf(() => ownThread(thread, { ...ruth, patientId: 'pat_other' }))).toBe(missing);
    expect(codeOf(() => ownThread(thread, { ...ruth, practiceId: 'prc_2' }))).toBe(missing);
  });

  it('recognises the message an earlier request with the same key wrote', () => {
    const { thread } = opened();
    expect(earlierSend(thread, 'msg_1', 'fp_1')?.messageId).toBe('msg_1');
    expect(earlierSend(thread, 'msg_9', 'fp_1')).toBeNull();
    expect(codeOf(() => earlierSend(thread, 'msg_1', 'fp_other'))).toBe(
      'invalid:idempotency-key-reused',
    );
  });
});
