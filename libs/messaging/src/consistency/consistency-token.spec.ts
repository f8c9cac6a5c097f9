import {
  decodeConsistencyTokens,
  encodeConsistencyToken,
  InvalidConsistencyToken,
  MAX_TOKENS_PER_REQUEST,
} from './consistency-token.js';
import { WriteContext } from './write-context.js';

const SECRET = 's'.repeat(43);
const PRACTICE = 'prc_a';

function tokenOf(topics: string[], practiceId = PRACTICE, secret = SECRET): string {
  const write = new WriteContext();
  write.written(topics);
  return encodeConsistencyToken(secret, practiceId, {
    writeId: write.writeId,
    issuedAt: write.issuedAt,
    counts: write.eventCounts(),
  });
}

const refused = (header: string, practiceId = PRACTICE) => {
  try {
    decodeConsistencyTokens(SECRET, practiceId, header);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConsistencyToken);
    return (error as InvalidConsistencyToken).detail;
  }
  throw new Error('expected the token to be refused');
};

describe('consistency tokens', () => {
  it('carry the write and its events per topic, compactly, and read back', () => {
    const topics = [
      ...Array<string>(120).fill('gm.directory.members'),
      ...Array<string>(900).fill('gm.directory.patients'),
      'gm.directory.practices',
      'gm.directory.roles',
      'gm.directory.facilities',
      'gm.directory.patient-categories',
    ];
    const token = tokenOf(topics);
    expect(token.length).toBeLessThanOrEqual(200);
    const [decoded] = decodeConsistencyTokens(SECRET, PRACTICE, token);
    expect(decoded!.counts.get('gm.directory.members')).toBe(120);
    expect(decoded!.counts.get('gm.directory.patients')).toBe(900);
    expect(decoded!.counts.size).toBe(6);
    expect(Date.now() - decoded!.issuedAt).toBeLessThan(5000);
  });

  it('say nothing of the practice or of the data: ids, counts and a signature only', () => {
    const token = tokenOf(['gm.patient-messages'], 'prc_with_a_recognisable_name');
    expect(token).not.toContain('prc_');
    expect(token).toMatch(/^1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.s1\.[A-Za-z0-9_-]{22}$/);
  });

  it('of a write that produced no event read back with no counts', () => {
    const [decoded] = decodeConsistencyTokens(SECRET, PRACTICE, tokenOf([]));
    expect(decoded!.counts.size).toBe(0);
  });

  it('are read from a comma-separated header, with spaces, up to 16', () => {
    const tokens = Array.from({ length: MAX_TOKENS_PER_REQUEST }, () => tokenOf(['gm.threads']));
    expect(decodeConsistencyTokens(SECRET, PRACTICE, tokens.join(' , '))).toHaveLength(16);
    expect(decodeConsistencyTokens(SECRET, PRACTICE, undefined)).toEqual([]);
    expect(refused([...tokens, tokenOf([])].join(','))).toMatch(/At most 16/);
  });

  it('of another practice, or signed with another secret, are refused', () => {
    expect(refused(tokenOf(['gm.threads'], 'prc_b'))).toMatch(/not issued .* your practice/);
    expect(refused(tokenOf(['gm.threads'], PRACTICE, 'x'.repeat(43)))).toMatch(/not issued/);
  });

  it('altered in any part are refused', () => {
    const token = tokenOf(['gm.threads', 'gm.threads']);
    const parts = token.split('.');
    const altered = [
      [parts[0], parts[1], parts[2], 'x3', parts[4]],
      [parts[0], parts[1], (Number.parseInt(parts[2]!, 36) + 1).toString(36), parts[3], parts[4]],
      [
        parts[0],
        `${parts[1]!.slice(0, -1)}${parts[1]!.endsWith('A') ? 'B' : 'A'}`,
        parts[2],
        parts[3],
        parts[4],
      ],
      ['2', parts[1], parts[2], parts[3], parts[4]],
    ].map((p) => p.join('.'));
    for (const header of altered) expect(refused(header)).toBeTruthy();
  });

  it('that are malformed are refused, never taken for a wait', () => {
    for (const header of [
      '',
      ' ',
      'abc',
      '1.2.3.4',
      '1....',
      `${tokenOf([])},`,
      'a'.repeat(5000),
    ]) {
      expect(refused(header)).toBeTruthy();
    }
  });
});
