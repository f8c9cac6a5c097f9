import {
  CONVERSATION_VERSION_PATTERN,
  formatConversationVersion,
  parseConversationVersion,
} from './conversation-version.js';

describe('the conversation version (a reply If-Match)', () => {
  it('reads back what it writes, quoted or not', () => {
    const seen = { patientMessages: 3, replies: 1 };
    expect(formatConversationVersion(seen)).toBe('m3r1');
    expect(parseConversationVersion('m3r1')).toEqual(seen);
    expect(parseConversationVersion(' "m3r1" ')).toEqual(seen);
  });

  it('takes nothing else, as the documented pattern says', () => {
    const pattern = new RegExp(CONVERSATION_VERSION_PATTERN);
    for (const text of ['3-1', 'm3', 'r1', 'm-1r0', 'm1234567r0', 'W/"m1r0"', '*', '']) {
      expect({ text, parsed: parseConversationVersion(text) }).toEqual({ text, parsed: null });
      expect({ text, documented: pattern.test(text) }).toEqual({ text, documented: false });
    }
    expect(pattern.test('"m12r0"')).toBe(true);
  });
});
