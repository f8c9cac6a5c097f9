import { ThreadRuleViolation } from './thread-errors.js';

export const MAX_REPLY_LENGTH = 20000;

/** C0 controls other than tab, line feed and carriage return, and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * A reply's body as the patient will read it: plain text of 1 to 20,000
 * characters (Unicode code points, as the contract's JSON Schema counts
 * them), with something other than white space in it and no control
 * characters. Kept as written; the patient's apps render it as text.
 */
export function replyBody(raw: string): string {
  if (!/\S/.test(raw)) {
    throw new ThreadRuleViolation('invalid-reply', 'a reply needs some text');
  }
  if (CONTROL_CHARACTERS.test(raw)) {
    throw new ThreadRuleViolation('invalid-reply', 'a reply is plain text: no control characters');
  }
  if ([...raw].length > MAX_REPLY_LENGTH) {
    throw new ThreadRuleViolation(
      'reply-too-long',
      `a reply has at most ${MAX_REPLY_LENGTH} characters`,
    );
  }
  return raw;
}
