import {
  MAX_BODY_LENGTH,
  MAX_SUBJECT_LENGTH,
  messageBody,
  messageSubject,
} from './message-content.js';
import { PatientMessagingRuleViolation } from './patient-messaging-errors.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PatientMessagingRuleViolation) return `${error.kind}:${error.code}`;
    throw error;
  }
  return 'accepted';
}

const EMOJI = '\u{1F600}'; // one character, two UTF-16 code units

describe('a message subject', () => {
  it.each([
    ['one character', 'x', 'accepted'],
    ['200 characters', 's'.repeat(MAX_SUBJECT_LENGTH), 'accepted'],
    ['201 characters', 's'.repeat(MAX_SUBJECT_LENGTH + 1), 'invalid:invalid-subject'],
    ['200 characters once trimmed', `  ${'s'.repeat(200)}  `, 'accepted'],
    ['200 emoji (characters, not UTF-16 units)', EMOJI.repeat(200), 'accepted'],
    ['201 emoji', EMOJI.repeat(201), 'invalid:invalid-subject'],
    ['empty', '', 'invalid:invalid-subject'],
    ['only blanks', ' \t ', 'invalid:invalid-subject'],
    ['a line break inside', 'Billing\nquestion', 'invalid:invalid-subject'],
    ['a NUL character', 'Billing\u0000', 'invalid:invalid-subject'],
    ['a C1 control character', 'Billing\u0085', 'invalid:invalid-subject'],
    ['a lone surrogate', 'Billing\uD83D', 'invalid:invalid-subject'],
    ['accents and other scripts', 'Facture – élève 請求', 'accepted'],
  ])('%s: %s', (_, subject, outcome) => {
    expect(codeOf(() => messageSubject(subject))).toBe(outcome);
  });

  it('is stored trimmed', () => {
    expect(messageSubject('  Refill request ')).toBe('Refill request');
  });
});

describe('a message body', () => {
  it.each([
    ['one character', 'x', 'accepted'],
    ['20000 characters', 'b'.repeat(MAX_BODY_LENGTH), 'accepted'],
    ['20001 characters', 'b'.repeat(MAX_BODY_LENGTH + 1), 'invalid:invalid-body'],
    ['20000 emoji', EMOJI.repeat(MAX_BODY_LENGTH), 'accepted'],
    ['20001 emoji', EMOJI.repeat(MAX_BODY_LENGTH + 1), 'invalid:invalid-body'],
    ['empty', '', 'invalid:invalid-body'],
    ['only blanks and line breaks', ' \n\r\n\t ', 'invalid:invalid-body'],
    ['line breaks and tabs', 'Hello,\r\n\tmy refill.\nThanks', 'accepted'],
    ['a NUL character', 'Hello\u0000', 'invalid:invalid-body'],
    ['an escape sequence', 'Hello \u001b[31mred', 'invalid:invalid-body'],
    ['a DEL character', 'Hello\u007f', 'invalid:invalid-body'],
    ['a lone low surrogate', '\uDE00 Hello', 'invalid:invalid-body'],
  ])('%s', (_, body, outcome) => {
    expect(codeOf(() => messageBody(body))).toBe(outcome);
  });

  it('is kept as written', () => {
    expect(messageBody('  Hello,\n  indented\n')).toBe('  Hello,\n  indented\n');
  });
});
