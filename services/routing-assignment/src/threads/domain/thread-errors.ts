type Kind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'unavailable';

/** A thread rule a request breaks; `code` is stable for clients, `kind` gives the HTTP status. */
export class ThreadRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: Kind = 'invalid',
  ) {
    super(message);
    this.name = 'ThreadRuleViolation';
  }
}

/**
 * Missing, of another practice, or not the caller's to see: one answer, so
 * that nothing about a thread's existence leaks.
 */
export const threadNotFound = (threadId: string) =>
  new ThreadRuleViolation('thread-not-found', `no thread ${threadId}`, 'not-found');

export const notGroupAdmin = () =>
  new ThreadRuleViolation(
    'not-group-admin',
    "only an Admin of the thread's group may do this",
    'forbidden',
  );

export const replyNotAllowed = () =>
  new ThreadRuleViolation(
    'reply-not-allowed',
    "only the group's Admins, the current assignee and the patient's care team may reply",
    'forbidden',
  );

export const invalidAssignee = (memberId: string) =>
  new ThreadRuleViolation(
    'invalid-assignee',
    `${memberId} cannot be assigned this thread: not an active member of the group (or of the patient's care team)`,
  );

export const assigneeOutOfOffice = (memberId: string) =>
  new ThreadRuleViolation(
    'assignee-out-of-office',
    `${memberId} is out of office now: assign the thread to someone who is in (their cover, if they named one)`,
  );

export const directMessageNotAssignable = () =>
  new ThreadRuleViolation(
    'direct-message-not-assignable',
    'a message sent to one member stays with that member',
    'conflict',
  );

export const threadInTrash = () =>
  new ThreadRuleViolation(
    'thread-in-trash',
    'the thread is in Trash; restore it first',
    'conflict',
  );

export const alreadyInTrash = () =>
  new ThreadRuleViolation('already-in-trash', 'the thread is already in Trash', 'conflict');

export const notInTrash = () =>
  new ThreadRuleViolation('not-in-trash', 'the thread is not in Trash', 'conflict');

export const threadChangedMeanwhile = () =>
  new ThreadRuleViolation(
    'thread-changed-meanwhile',
    'the thread kept changing while this request was applied; try again',
    'conflict',
  );

/** The read could not be recorded in the access audit: fail closed, serve nothing (ADR 0013). */
export const accessAuditUnavailable = () =>
  new ThreadRuleViolation(
    'access-audit-unavailable',
    'the access could not be recorded, so nothing was served; try again',
    'unavailable',
  );
