type Kind = 'invalid' | 'not-found' | 'conflict';

/** A directory rule a request breaks; `code` is stable for clients. */
export class DirectoryRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: Kind = 'invalid',
  ) {
    super(message);
    this.name = 'DirectoryRuleViolation';
  }
}
