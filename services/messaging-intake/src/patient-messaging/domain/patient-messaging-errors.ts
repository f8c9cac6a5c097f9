type Kind = 'invalid' | 'forbidden' | 'not-found' | 'conflict';

/** A patient messaging rule a request breaks; `code` is stable for clients (web, mobile, branded apps). */
export class PatientMessagingRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: Kind = 'invalid',
  ) {
    super(message);
    this.name = 'PatientMessagingRuleViolation';
  }
}

/**
 * One answer for a recipient that does not exist, belongs to another
 * practice, or is hidden from this patient: the detail names nothing, so a
 * patient cannot probe which groups or members exist.
 */
export const recipientNotAvailable = () =>
  new PatientMessagingRuleViolation(
    'recipient-not-available',
    'This recipient is not available to you.',
    'forbidden',
  );

/** Missing, another patient's, or another practice's thread: the same answer. */
export const threadNotFound = () =>
  new PatientMessagingRuleViolation('thread-not-found', 'No such thread.', 'not-found');
