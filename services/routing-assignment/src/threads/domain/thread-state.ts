/** How a thread reached the practice: decides who sees it (ADR 0011). */
export type RoutingKind = 'specific-members' | 'care-team' | 'direct';
export type ThreadStatus = 'not-replied' | 'replied';
export type UnassignReason =
  | 'member-removed-from-group'
  | 'member-deactivated'
  | 'care-team-changed'
  | 'assignee-silent'
  | 'assignee-out-of-office';
export type AssignmentHow = 'manual' | 'automatic' | 'cover';
export type RestoreReason = 'member-restored' | 'patient-follow-up';
export type TimelineKind =
  | 'sent'
  | 'routed'
  | 'assigned'
  | 'unassigned'
  | 'replied'
  | 'trashed'
  | 'restored'
  | 'follow-up'
  | 'overdue'
  | 'acknowledged'
  | 'note-added';
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
  /** When the wait for a reply began (the patient message, or the restore, that began it); null while nothing waits. */
  awaitingSince: string | null;
  /** The group's first-response target for this wait, fixed when it began; null if the group sets none. */
  responseTarget: { seconds: number; respondBy: string } | null;
  /** This wait passed its target (MessageResponseOverdue published). */
  overdue: boolean;
  /** When a silent assignee loses the thread back to the queue; null if no return to queue runs. */
  silentBy: string | null;
  /** Where the thread's first message came from, for analytics; absent on threads stored before it was recorded. */
  patientContext?: PatientContext;
}

/** The app the patient wrote from, and their facility and categories, when the thread opened. */
export interface PatientContext {
  channel: string;
  facilityId: string | null;
  categoryIds: string[];
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
  /** Recorded by the intake at send; absent on messages sent before it was. */
  channel?: string;
  facilityId?: string | null;
  categoryIds?: string[];
}

/** What a change of the thread tells the rest of the system (one event each). */
export type ThreadChange =
  | { kind: 'routed' }
  | {
      kind: 'assigned';
      assigneeMemberId: string;
      previousAssigneeMemberId: string | null;
      /** null when the system assigned (automatic, cover). */
      byMemberId: string | null;
      how: AssignmentHow;
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
      byMemberId: string | null;
      reason: RestoreReason;
      messageId: string | null;
    }
  | { kind: 'overdue'; awaitingSince: string; respondBy: string; targetSeconds: number }
  | {
      kind: 'acknowledged';
      acknowledgementId: string;
      messageId: string;
      senderDisplayName: string;
      body: string;
      when: 'always' | 'outside-business-hours';
    }
  /** Staff-only, on gm.thread-notes; the thread's version does not count it (thread-change.ts `noted`). */
  | { kind: 'note-added'; noteId: string; byMemberId: string; body: string; addedAt: string };

/** The thread after a change, and the change to publish; `state.version` already counts it (a note excepted). */
export interface Transition {
  state: ThreadState;
  change: ThreadChange;
}
