import { MAX_TEXT_LENGTH, plainText } from './plain-text.js';

export const MAX_REPLY_LENGTH = MAX_TEXT_LENGTH;

/** A reply's body as the patient will read it: plain text (invalid-reply, reply-too-long). */
export const replyBody = (raw: string): string =>
  plainText(raw, { noun: 'reply', invalidCode: 'invalid-reply', tooLongCode: 'reply-too-long' });
