/**
 * The read model's picture of one patient thread, folded from the events of
 * three topics: the patient side (MessageSent on gm.patient-messages, the
 * intake's version), the practice side (gm.threads, the routing service's
 * version) and the staff's internal notes (gm.thread-notes, no version).
 * The topics are not ordered against each other, so every
 * field is either a set keyed by an id (messages, replies, acknowledgements,
 * timeline) or a last-writer-wins value guarded by the version that wrote it
 * (assignee, trash, overdue). Folding the same events in any order, any
 * number of times, gives the same view.
 */
export type RoutingKind = 'specific-members' | 'care-team' | 'direct';
export type ThreadStatus = 'not-replied' | 'replied';

/**
 * Why a member may see the thread, as routing-assignment decided (ADR 0016).
 * An open enum on the wire: a reason this build does not know yet gives the
 * member the thread itself and nothing more (no timeline, not an Admin).
 */
export type AudienceReason =
  'admin' | 'assignee' | 'care-team' | 'addressee' | 'cover' | (string & {});

export interface AudienceMember {
  memberId: string;
  reason: AudienceReason;
}

export interface PatientMessageView {
  messageId: string;
  body: string;
  sentAt: string;
  followUp: boolean;
  threadVersion: number;
}

export interface ReplyView {
  replyId: string;
  body: string;
  sentAt: string;
  /** What a patient sees: the group's name (the practice's for a direct message). */
  senderDisplayName: string;
  /** Staff-only. Never leaves in a patient response. */
  repliedByMemberId: string;
  threadVersion: number;
}

/**
 * The group's automatic acknowledgement of a patient message. Shown with the
 * replies but not one of them: the thread stays Not Replied, and the
 * patient's reply counters do not move.
 */
export interface AcknowledgementView {
  acknowledgementId: string;
  /** The patient message it acknowledges. */
  messageId: string;
  /** The practice's words for every patient; kept out of logs and signals like any message. */
  body: string;
  sentAt: string;
  /** The group's name: what the patient sees as the sender. */
  senderDisplayName: string;
  /** An open enum on the wire: a value this build does not know is kept as it came. */
  when: AcknowledgementWhen;
  threadVersion: number;
}

export type AcknowledgementWhen = 'always' | 'outside-business-hours' | (string & {});

/**
 * An internal note of the thread's audience (staff-only: never in anything a
 * patient reads). Kept once per id, in the order written.
 */
export interface NoteView {
  noteId: string;
  authorMemberId: string;
  /** PHI, like every message. */
  body: string;
  addedAt: string;
}

export type TimelineKind =
  | 'sent'
  | 'follow-up'
  | 'routed'
  | 'assigned'
  | 'unassigned'
  | 'replied'
  | 'trashed'
  | 'restored'
  | 'overdue'
  | 'acknowledged'
  | 'note-added';

/**
 * How an assignment was made: by an Admin, by the group's automatic
 * assignment, or to an away assignee's cover. An open enum on the wire: a
 * value this build does not know is kept as it came (the timeline shows it).
 */
export type AssignmentHow = 'manual' | 'automatic' | 'cover' | (string & {});

/** One step of the progress timeline (staff-only: it names members; never holds text). */
export interface TimelineStep {
  /** Unique per step: `m:<messageId>`, `t:<threadVersion>` or `n:<noteId>`. */
  key: string;
  kind: TimelineKind;
  at: string;
  actorKind: 'patient' | 'member' | 'system';
  actorId: string | null;
  details: Record<string, string | number | null>;
}

export interface ThreadView {
  practiceId: string;
  threadId: string;
  patientId: string;
  /** Group written to; null for a direct message (or not known yet). */
  groupId: string | null;
  /** The member a direct message is written to. */
  addresseeMemberId: string | null;
  /** null until MessageRouted arrives (parked threads, ADR 0011). */
  routing: RoutingKind | null;
  subject: string | null;
  messages: PatientMessageView[];
  replies: ReplyView[];
  assigneeMemberId: string | null;
  /** practiceVersion of the event that last set the assignee. */
  assigneeVersion: number;
  trashed: boolean;
  trashedVersion: number;
  /** Past the group's first-response target: set by MessageResponseOverdue, cleared by a reply or a trash. */
  overdue: boolean;
  /** practiceVersion of the event that last set or cleared `overdue`. */
  overdueVersion: number;
  /** Automatic acknowledgements, in version order (not replies: kept apart so no reply count moves). */
  acknowledgements: AcknowledgementView[];
  /** Internal notes, by `addedAt` (staff-only). */
  notes: NoteView[];
  /** Highest intake-side version applied. */
  patientVersion: number;
  /** Highest routing-side version applied. */
  practiceVersion: number;
  timeline: TimelineStep[];
  /** How many replies the patient has opened (patient unread = replies beyond it). */
  patientReadReplies: number;
  /** Who may see the thread, as last published by routing-assignment (the one authority). */
  audience: AudienceMember[];
  /** The audienceVersion of that publication; an older one changes nothing. */
  audienceVersion: number;
}

export function emptyView(practiceId: string, threadId: string, patientId: string): ThreadView {
  return {
    practiceId,
    threadId,
    patientId,
    groupId: null,
    addresseeMemberId: null,
    routing: null,
    subject: null,
    messages: [],
    replies: [],
    assigneeMemberId: null,
    assigneeVersion: 0,
    trashed: false,
    trashedVersion: 0,
    overdue: false,
    overdueVersion: 0,
    acknowledgements: [],
    notes: [],
    patientVersion: 0,
    practiceVersion: 0,
    timeline: [],
    patientReadReplies: 0,
    audience: [],
    audienceVersion: 0,
  };
}

/** Takes a published audience if it is newer than the one held. Returns whether it changed. */
export function applyAudience(
  view: ThreadView,
  fact: { audienceVersion: number; members: readonly AudienceMember[] },
): boolean {
  if (fact.audienceVersion <= view.audienceVersion) return false;
  view.audience = fact.members.map(({ memberId, reason }) => ({ memberId, reason }));
  view.audienceVersion = fact.audienceVersion;
  return true;
}

const byTime =
  <T>(at: (item: T) => string, tie: (item: T) => string) =>
  (a: T, b: T) =>
    at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0;

function addStep(view: ThreadView, step: TimelineStep): void {
  if (view.timeline.some((s) => s.key === step.key)) return;
  view.timeline.push(step);
  view.timeline.sort(
    byTime(
      (s: TimelineStep) => s.at,
      (s) => s.key,
    ),
  );
}

/** The facts of a MessageSent (subject and body are PHI). */
export interface MessageFact {
  messageId: string;
  patientId: string;
  recipientKind: 'group' | 'member';
  groupId: string | null;
  memberId: string | null;
  subject: string;
  body: string;
  followUp: boolean;
  threadVersion: number;
  sentAt: string;
}

/** Adds a patient message once (by id). Returns whether anything changed. */
export function applyMessage(view: ThreadView, fact: MessageFact): boolean {
  if (view.messages.some((m) => m.messageId === fact.messageId)) return false;
  view.messages.push({
    messageId: fact.messageId,
    body: fact.body,
    sentAt: fact.sentAt,
    followUp: fact.followUp,
    threadVersion: fact.threadVersion,
  });
  view.messages.sort(
    byTime(
      (m: PatientMessageView) => m.sentAt,
      (m) => m.messageId,
    ),
  );
  // The first message's subject (follow-ups repeat it); any message sets it if none yet.
  const first = view.messages[0]!;
  if (!view.subject || first.messageId === fact.messageId) view.subject = fact.subject;
  if (fact.recipientKind === 'group' && view.groupId === null) view.groupId = fact.groupId;
  if (fact.recipientKind === 'member' && view.addresseeMemberId === null) {
    view.addresseeMemberId = fact.memberId;
  }
  view.patientVersion = Math.max(view.patientVersion, fact.threadVersion);
  addStep(view, {
    key: `m:${fact.messageId}`,
    kind: fact.followUp ? 'follow-up' : 'sent',
    at: fact.sentAt,
    actorKind: 'patient',
    actorId: fact.patientId,
    details: { messageId: fact.messageId, intakeVersion: fact.threadVersion },
  });
  return true;
}

/**
 * Adds an internal note once (by id), in `addedAt` order, with its timeline
 * step (the note's id, never its text). Returns whether anything changed.
 */
export function applyNote(view: ThreadView, note: NoteView): boolean {
  if (view.notes.some((n) => n.noteId === note.noteId)) return false;
  view.notes.push({ ...note });
  view.notes.sort(
    byTime(
      (n: NoteView) => n.addedAt,
      (n) => n.noteId,
    ),
  );
  addStep(view, {
    key: `n:${note.noteId}`,
    kind: 'note-added',
    at: note.addedAt,
    actorKind: 'member',
    actorId: note.authorMemberId,
    details: { noteId: note.noteId },
  });
  return true;
}

/** A practice-side fact (gm.threads), without its text where it has none. */
export type PracticeFact = { threadVersion: number; occurredAt: string; groupId: string | null } & (
  | { kind: 'routed'; patientId: string; routing: RoutingKind; memberId: string | null }
  | {
      kind: 'assigned';
      assigneeMemberId: string;
      previousAssigneeMemberId: string | null;
      /** null: the system assigned (automatic assignment, an away assignee's cover). */
      byMemberId: string | null;
      how: AssignmentHow;
    }
  | { kind: 'unassigned'; previousAssigneeMemberId: string; reason: string }
  | {
      kind: 'replied';
      replyId: string;
      body: string;
      senderDisplayName: string;
      repliedByMemberId: string;
    }
  | { kind: 'trashed'; byMemberId: string }
  | {
      kind: 'restored';
      /** null: the patient's new message took the thread out of Trash. */
      byMemberId: string | null;
      /** An open enum on the wire: a value this build does not know is kept as it came. */
      reason: 'member-restored' | 'patient-follow-up' | (string & {});
    }
  | { kind: 'overdue'; awaitingSince: string; respondBy: string; targetSeconds: number }
  | {
      kind: 'acknowledged';
      acknowledgementId: string;
      messageId: string;
      senderDisplayName: string;
      body: string;
      when: AcknowledgementWhen;
    }
);

/** A reply, a trash or a new overdue moves `overdue` only if newer than what last moved it. */
function setOverdue(view: ThreadView, overdue: boolean, version: number): void {
  if (version <= view.overdueVersion) return;
  view.overdue = overdue;
  view.overdueVersion = version;
}

/** Applies a practice-side fact once; fields it sets move only forward in version. */
export function applyPracticeFact(view: ThreadView, fact: PracticeFact): boolean {
  const key = `t:${fact.threadVersion}`;
  if (view.timeline.some((s) => s.key === key)) return false;
  const v = fact.threadVersion;
  const step = (
    kind: TimelineKind,
    actorId: string | null,
    details: TimelineStep['details'] = {},
  ): TimelineStep => ({
    key,
    kind,
    at: fact.occurredAt,
    actorKind: actorId ? 'member' : 'system',
    actorId,
    details: { ...details, version: v },
  });
  switch (fact.kind) {
    case 'routed':
      view.routing = fact.routing;
      if (fact.groupId) view.groupId = fact.groupId;
      if (fact.memberId) view.addresseeMemberId = fact.memberId;
      addStep(view, step('routed', null, { routing: fact.routing }));
      break;
    case 'assigned':
      if (v > view.assigneeVersion) {
        view.assigneeMemberId = fact.assigneeMemberId;
        view.assigneeVersion = v;
      }
      addStep(
        view,
        step('assigned', fact.byMemberId, {
          assigneeMemberId: fact.assigneeMemberId,
          previousAssigneeMemberId: fact.previousAssigneeMemberId,
          how: fact.how,
        }),
      );
      break;
    case 'unassigned':
      if (v > view.assigneeVersion) {
        view.assigneeMemberId = null;
        view.assigneeVersion = v;
      }
      addStep(
        view,
        step('unassigned', null, {
          previousAssigneeMemberId: fact.previousAssigneeMemberId,
          reason: fact.reason,
        }),
      );
      break;
    case 'replied':
      if (!view.replies.some((r) => r.replyId === fact.replyId)) {
        view.replies.push({
          replyId: fact.replyId,
          body: fact.body,
          sentAt: fact.occurredAt,
          senderDisplayName: fact.senderDisplayName,
          repliedByMemberId: fact.repliedByMemberId,
          threadVersion: v,
        });
        view.replies.sort((a, b) => a.threadVersion - b.threadVersion);
      }
      setOverdue(view, false, v);
      addStep(view, step('replied', fact.repliedByMemberId, { replyId: fact.replyId }));
      break;
    case 'trashed':
    case 'restored':
      if (v > view.trashedVersion) {
        view.trashed = fact.kind === 'trashed';
        view.trashedVersion = v;
      }
      // A restore does not bring an old target back: routing says so anew if one passes.
      if (fact.kind === 'trashed') setOverdue(view, false, v);
      addStep(
        view,
        step(fact.kind, fact.byMemberId, fact.kind === 'restored' ? { reason: fact.reason } : {}),
      );
      break;
    case 'overdue':
      setOverdue(view, true, v);
      addStep(
        view,
        step('overdue', null, {
          awaitingSince: fact.awaitingSince,
          respondBy: fact.respondBy,
          targetSeconds: fact.targetSeconds,
        }),
      );
      break;
    case 'acknowledged':
      if (!view.acknowledgements.some((a) => a.acknowledgementId === fact.acknowledgementId)) {
        view.acknowledgements.push({
          acknowledgementId: fact.acknowledgementId,
          messageId: fact.messageId,
          body: fact.body,
          sentAt: fact.occurredAt,
          senderDisplayName: fact.senderDisplayName,
          when: fact.when,
          threadVersion: v,
        });
        view.acknowledgements.sort((a, b) => a.threadVersion - b.threadVersion);
      }
      // The timeline holds no text: the acknowledgement's words are in `acknowledgements`.
      addStep(
        view,
        step('acknowledged', null, {
          acknowledgementId: fact.acknowledgementId,
          messageId: fact.messageId,
          when: fact.when,
        }),
      );
      break;
  }
  view.practiceVersion = Math.max(view.practiceVersion, v);
  return true;
}

/**
 * Not Replied until a staff reply, and again after a patient follow-up.
 * The two sides are compared by time (a reply at or after the latest patient
 * message answers it), which needs no cross-topic order.
 */
export function statusOf(view: ThreadView): ThreadStatus {
  const lastReply = view.replies.reduce((max, r) => (r.sentAt > max ? r.sentAt : max), '');
  const lastMessage = view.messages.reduce((max, m) => (m.sentAt > max ? m.sentAt : max), '');
  return lastReply !== '' && lastReply >= lastMessage ? 'replied' : 'not-replied';
}

/** Overdue as inboxes show it: past the target, not answered since, not in Trash. */
export const isOverdue = (view: ThreadView): boolean =>
  view.overdue && !view.trashed && statusOf(view) === 'not-replied';

/** Newest activity of either side: the inbox order. */
export function lastActivityAt(view: ThreadView): string {
  let latest = '';
  for (const m of view.messages) if (m.sentAt > latest) latest = m.sentAt;
  for (const r of view.replies) if (r.sentAt > latest) latest = r.sentAt;
  return latest;
}

/** A thread is listed once routed and once its first message (subject) is known. */
export const isComplete = (view: ThreadView): boolean =>
  view.routing !== null && view.messages.length > 0;
