/** How a thread reached the practice: decides who sees it (ADR 0011). */
export type RoutingKind = 'specific-members' | 'care-team' | 'direct';
export type ThreadStatus = 'not-replied' | 'replied';
export type UnassignReason =
  'member-removed-from-group' | 'member-deactivated' | 'care-team-changed';
export type RestoreReason = 'member-restored' | 'patient-follow-up';
export type TimelineKind =
  'sent' | 'routed' | 'assigned' | 'unassigned' | 'replied' | 'trashed' | 'restored' | 'follow-up';
export type TimelineActorKind = 'patient' | 'member' | 'system';

/**
 * One step of a thread's progress, for the group's Admins (staff-only: it
 * names members). Never holds message or reply text.
 */
export interface TimelineEntry {
  kind: TimelineKind;
  actorKind: TimelineActorKind;
  /** Patient id, member id, or null for the system. */
  actorId: string | null;
  at: string;
  details: Record<string, string | number | null>;
}

/** The practice side of one patient thread. */
export interface ThreadState {
  practiceId: string;
  threadId: string;
  patientId: string;
  /** null while the thread waits for its group to reach the settings replica (ADR 0011). */
  routing: RoutingKind | null;
  /** The group written to; null for a direct message. */
  groupId: string | null;
  /** The group's name when last used for the patient (snapshot; replies use the current name). */
  groupName: string | null;
  /** The member a direct message was sent to; null for group threads. */
  addresseeMemberId: string | null;
  assigneeMemberId: string | null;
  status: ThreadStatus;
  trashed: boolean;
  /** Version after this service's last event of the thread: 0 until routed, then +1 per event. */
  version: number;
  timeline: TimelineEntry[];
  /** Patient messages already taken into account (idempotent follow-ups). */
  messageIds: string[];
}

/** A patient's message, as the intake published it (MessageSent). */
export interface PatientMessage {
  practiceId: string;
  threadId: string;
  messageId: string;
  patientId: string;
  recipientKind: 'group' | 'member';
  groupId: string | null;
  memberId: string | null;
  followUp: boolean;
  /** The intake's version of the thread after this message. */
  threadVersion: number;
  sentAt: string;
}

/** What a change of the thread tells the rest of the system (one event each). */
export type ThreadChange =
  | { kind: 'routed' }
  | {
      kind: 'assigned';
      assigneeMemberId: string;
      previousAssigneeMemberId: string | null;
      byMemberId: string;
    }
  | { kind: 'unassigned'; previousAssigneeMemberId: string; reason: UnassignReason }
  | {
      kind: 'replied';
      replyId: string;
      byMemberId: string;
      senderDisplayName: string;
      body: string;
    }
  | { kind: 'trashed'; byMemberId: string }
  | {
      kind: 'restored';
      /** null when the patient's new message took the thread out of Trash. */
      byMemberId: string | null;
      reason: RestoreReason;
      messageId: string | null;
    };

/** The thread after a change, and the change to publish; `state.version` already counts it. */
export interface Transition {
  state: ThreadState;
  change: ThreadChange;
}
