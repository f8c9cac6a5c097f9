import { PatientMessagingRuleViolation } from './patient-messaging-errors.js';

/** Limits of the MessageSent contract (JSON Schema lengths count code points, so do we). */
export const MAX_SUBJECT_LENGTH = 200;
export const MAX_BODY_LENGTH = 20000;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Plain text only: C0/C1 control characters (other than the allowed ones)
 * and unpaired UTF-16 surrogates are refused. They render unpredictably in
 * the portal, the apps and staff inboxes, and a lone surrogate is not valid
 * UTF-8 on the wire.
 */
function hasForbiddenCharacter(text: string, allowed: ReadonlySet<number>): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !allowed.has(code)) return true;
    if (code >= 0x7f && code <= 0x9f) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return true;
    }
  }
  return false;
}

const codePoints = (text: string) => [...text].length;

/** The subject as stored: trimmed, one line, 1–200 characters. */
export function messageSubject(raw: string): string {
  const subject = raw.trim();
  const problem = !subject
    ? 'a message needs a subject'
    : hasForbiddenCharacter(subject, new Set())
      ? 'a subject is one line of plain text'
      : codePoints(subject) > MAX_SUBJECT_LENGTH
        ? `a subject has at most ${MAX_SUBJECT_LENGTH} characters`
        : null;
  if (problem) throw new PatientMessagingRuleViolation('invalid-subject', problem);
  return subject;
}

/** The body as written (line breaks and tabs kept), 1–20000 characters, not only blanks. */
export function messageBody(raw: string): string {
  const problem = !raw.trim()
    ? 'a message needs a body'
    : hasForbiddenCharacter(raw, new Set([TAB, LF, CR]))
      ? 'a message body is plain text'
      : codePoints(raw) > MAX_BODY_LENGTH
        ? `a message body has at most ${MAX_BODY_LENGTH} characters`
        : null;
  if (problem) throw new PatientMessagingRuleViolation('invalid-body', problem);
  return raw;
}
