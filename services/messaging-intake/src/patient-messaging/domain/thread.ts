import { messageBody, messageSubject } from './message-content.js';
import { PatientMessagingRuleViolation, threadNotFound } from './patient-messaging-errors.js';
import type { Recipient } from './recipient-policy.js';

/**
 * What the thread keeps of each message. Not the body: it is PHI that this
 * service only hands on (in MessageSent); the inbox projection owns reading.
 */
export interface ThreadMessage {
  messageId: string;
  sentAt: string;
  followUp: boolean;
  /** Hash of the HTTP request that wrote it, when sent with an Idempotency-Key. */
  requestFingerprint: string | null;
}

/** One patient writing to one recipient: the first message and the follow-ups. */
export interface Thread {
  threadId: string;
  practiceId: string;
  patientId: string;
  recipient: Recipient;
  subject: string;
  messages: ThreadMessage[];
  /** Grows by one per message. */
  version: number;
}

/** The message just written, with everything MessageSent carries. */
export interface SentMessage {
  practiceId: string;
  threadId: string;
  messageId: string;
  patientId: string;
  recipient: Recipient;
  subject: string;
  body: string;
  followUp: boolean;
  /** The thread's version after this message. */
  threadVersion: number;
  sentAt: string;
}

export interface PatientRef {
  practiceId: string;
  patientId: string;
}

interface NewMessage {
  messageId: string;
  body: string;
  sentAt: string;
  requestFingerprint: string | null;
}

const sent = (thread: Thread, message: ThreadMessage, body: string): SentMessage => ({
  practiceId: thread.practiceId,
  threadId: thread.threadId,
  messageId: message.messageId,
  patientId: thread.patientId,
  recipient: thread.recipient,
  subject: thread.subject,
  body,
  followUp: message.followUp,
  threadVersion: thread.version,
  sentAt: message.sentAt,
});

/** A patient's first message to a recipient opens a thread at version 1. */
export function startThread(
  draft: NewMessage & PatientRef & { threadId: string; recipient: Recipient; subject: string },
): { thread: Thread; message: SentMessage } {
  const subject = messageSubject(draft.subject);
  const body = messageBody(draft.body);
  const first: ThreadMessage = {
    messageId: draft.messageId,
    sentAt: draft.sentAt,
    followUp: false,
    requestFingerprint: draft.requestFingerprint,
  };
  const thread: Thread = {
    threadId: draft.threadId,
    practiceId: draft.practiceId,
    patientId: draft.patientId,
    recipient: draft.recipient,
    subject,
    messages: [first],
    version: 1,
  };
  return { thread, message: sent(thread, first, body) };
}

/** The patient writes again in their thread: same subject and recipient, one version more. */
export function followUp(
  thread: Thread,
  draft: NewMessage,
): { thread: Thread; message: SentMessage } {
  const body = messageBody(draft.body);
  const next: ThreadMessage = {
    messageId: draft.messageId,
    sentAt: draft.sentAt,
    followUp: true,
    requestFingerprint: draft.requestFingerprint,
  };
  const written = { ...thread, messages: [...thread.messages, next], version: thread.version + 1 };
  return { thread: written, message: sent(written, next, body) };
}

/**
 * The thread if it is this patient's, in this practice; otherwise the same
 * 404 as a missing one, so no patient learns that another's thread exists.
 */
export function ownThread(thread: Thread | null, patient: PatientRef): Thread {
  if (!thread || thread.practiceId !== patient.practiceId || thread.patientId !== patient.patientId)
    throw threadNotFound();
  return thread;
}

/**
 * The message an earlier request with the same Idempotency-Key wrote in this
 * thread, or null if none did. The same key with a different request is a
 * client error, never a second message.
 */
export function earlierSend(
  thread: Thread,
  messageId: string,
  requestFingerprint: string,
): ThreadMessage | null {
  const earlier = thread.messages.find((message) => message.messageId === messageId);
  if (!earlier) return null;
  if (earlier.requestFingerprint !== requestFingerprint) throw idempotencyKeyReused();
  return earlier;
}

export const idempotencyKeyReused = () =>
  new PatientMessagingRuleViolation(
    'idempotency-key-reused',
    'This Idempotency-Key was already used for a different request.',
  );
