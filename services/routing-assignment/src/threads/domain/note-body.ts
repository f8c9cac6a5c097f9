import { plainText } from './plain-text.js';

/** An internal note's body, for staff only: plain text as a reply's (invalid-note, note-too-long). */
export const noteBody = (raw: string): string =>
  plainText(raw, { noun: 'note', invalidCode: 'invalid-note', tooLongCode: 'note-too-long' });
