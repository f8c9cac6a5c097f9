import type { AccessFacts } from './thread-access.js';
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

/** The Billing Team's facts as the domain specs decide on them: an active Admin and an active User. */
export const billingFacts: AccessFacts = {
  group: {
    name: 'Billing Team',
    members: [
      { memberId: 'mbr_admin', privilege: 'admin' },
      { memberId: 'mbr_user', privilege: 'user' },
    ],
  },
  careTeamMemberIds: [],
  activeMemberIds: new Set(['mbr_admin', 'mbr_user']),
};
