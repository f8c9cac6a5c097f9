import { ThreadRuleViolation } from './thread-errors.js';

/** The longest text a member writes on a thread (a reply, a note), in code points. */
export const MAX_TEXT_LENGTH = 20000;

/** C0 controls other than tab, line feed and carriage return, and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** What the text is called in messages, and the codes its refusals carry. */
export interface TextKind {
  noun: string;
  invalidCode: string;
  tooLongCode: string;
}

/**
 * Plain text of 1 to 20,000 characters (Unicode code points, as the
 * contracts' JSON Schemas count them), with something other than white
 * space in it and no control characters. Kept as written; it is rendered as
 * text, never as markup.
 */
export function plainText(raw: string, kind: TextKind): string {
  if (!/\S/.test(raw)) {
    throw new ThreadRuleViolation(kind.invalidCode, `a ${kind.noun} needs some text`);
  }
  if (CONTROL_CHARACTERS.test(raw)) {
    throw new ThreadRuleViolation(
      kind.invalidCode,
      `a ${kind.noun} is plain text: no control characters`,
    );
  }
  if ([...raw].length > MAX_TEXT_LENGTH) {
    throw new ThreadRuleViolation(
      kind.tooLongCode,
      `a ${kind.noun} has at most ${MAX_TEXT_LENGTH} characters`,
    );
  }
  return raw;
}
