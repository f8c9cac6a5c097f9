/** Rule errors with a stable code; the HTTP layer maps `kind` to a status (ADR 0002). */
export class InboxError extends Error {
  constructor(
    readonly code: string,
    readonly kind: 'not-found' | 'invalid' | 'conflict' | 'unavailable' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'InboxError';
  }
}

/** Missing, another practice's, or not the caller's to open: all alike, so nothing leaks. */
export const threadNotFound = () =>
  new InboxError('thread-not-found', 'not-found', 'No such thread.');
export const groupNotFound = () => new InboxError('group-not-found', 'not-found', 'No such group.');
export const invalidCursor = () =>
  new InboxError('invalid-cursor', 'invalid', 'The cursor is not one this service issued.');
/** A deactivated (or unknown) member has no rights (ADR 0006): no live feed either. */
export const memberInactive = () =>
  new InboxError('member-inactive', 'forbidden', 'Your member account is not active.');
export const rebuildRunning = () =>
  new InboxError('rebuild-running', 'conflict', 'A rebuild is already running.');
/** The read could not be recorded in the access audit: fail closed, serve nothing (ADR 0013). */
export const accessAuditUnavailable = () =>
  new InboxError(
    'access-audit-unavailable',
    'unavailable',
    'The access could not be recorded, so nothing was served; try again.',
  );
/** `?after=` named a write the projection has not reached within the wait (ADR 0018). */
export const notYetConsistent = () =>
  new InboxError(
    'not-yet-consistent',
    'unavailable',
    'Your earlier write has not reached this service yet; nothing was done. Retry shortly.',
  );
