type Kind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'payment-required';

/** A Message Groups rule a request breaks; `code` is stable for clients. */
export class MessageGroupRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: Kind = 'invalid',
  ) {
    super(message);
    this.name = 'MessageGroupRuleViolation';
  }
}

export const groupNotFound = (groupId: string) =>
  new MessageGroupRuleViolation('group-not-found', `no message group ${groupId}`, 'not-found');

export const memberNotFound = (memberId: string) =>
  new MessageGroupRuleViolation('member-not-found', `no member ${memberId}`, 'not-found');
