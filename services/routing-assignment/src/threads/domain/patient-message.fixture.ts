import type { PatientMessage } from './thread-state.js';

/** A patient's first message to group grp_1, as the domain specs send it; override what a case needs. */
export const patientMessage = (overrides: Partial<PatientMessage> = {}): PatientMessage => ({
  practiceId: 'prc_1',
  threadId: 'thr_1',
  messageId: 'msg_1',
  patientId: 'pat_1',
  recipientKind: 'group',
  groupId: 'grp_1',
  memberId: null,
  followUp: false,
  threadVersion: 1,
  sentAt: '2026-11-26T09:59:00.000Z',
  ...overrides,
});
