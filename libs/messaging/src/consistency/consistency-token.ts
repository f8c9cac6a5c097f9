import { isWriteId, topicOfCode } from '@gm/contracts';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A consistency token (ADR 0018): `1.<writeId>.<issued>.<counts>.<mac>`.
 * `counts` says how many events the write produced per topic (`m3t2`: three
 * on gm.directory.members, two on gm.directory.patients; `-` for none);
 * `mac` is an HMAC over the practice and the rest, so a token is refused
 * unless it was made for the caller's practice by one of our services. It
 * holds no PHI and nothing another practice could learn from.
 */
export interface ConsistencyToken {
  writeId: string;
  issuedAt: number;
  /** Events per topic name. */
  counts: Map<string, number>;
}

export const MAX_TOKENS_PER_REQUEST = 16;
const FORMAT = '1';
const MAC_BYTES = 16;
const MAX_COUNT = 1_000_000;
const COUNTS = /^(?:-|(?:[a-z][1-9][0-9]{0,6})+)$/;

export class InvalidConsistencyToken extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'InvalidConsistencyToken';
  }
}

function mac(secret: string, practiceId: string, body: string): string {
  return createHmac('sha256', secret)
    .update(`${practiceId}\n${body}`)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString('base64url');
}

/** The token of a write: `counts` by topic code (WriteContext.eventCounts). */
export function encodeConsistencyToken(
  secret: string,
  practiceId: string,
  write: { writeId: string; issuedAt: number; counts: Map<string, number> },
): string {
  const counts = [...write.counts].map(([code, n]) => `${code}${n}`).join('') || '-';
  const body = `${FORMAT}.${write.writeId}.${write.issuedAt.toString(36)}.${counts}`;
  return `${body}.${mac(secret, practiceId, body)}`;
}

function decodeOne(secret: string, practiceId: string, text: string): ConsistencyToken {
  const parts = text.split('.');
  if (parts.length !== 5 || parts[0] !== FORMAT) {
    throw new InvalidConsistencyToken('A consistency token has five dot-separated parts.');
  }
  const [, writeId, issued, counts, signature] = parts as [string, string, string, string, string];
  const expected = mac(secret, practiceId, parts.slice(0, 4).join('.'));
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    throw new InvalidConsistencyToken(
      'A consistency token was not issued by this platform for your practice.',
    );
  }
  // Signed by us, so well formed; checked all the same, as cheap insurance.
  const issuedAt = parseInt(issued, 36);
  if (!isWriteId(writeId) || !Number.isSafeInteger(issuedAt) || !COUNTS.test(counts)) {
    throw new InvalidConsistencyToken('A consistency token is malformed.');
  }
  const byTopic = new Map<string, number>();
  for (const [, code, n] of counts.matchAll(/([a-z])([0-9]+)/g)) {
    const topic = topicOfCode(code!);
    const count = Number(n);
    if (!topic || byTopic.has(topic) || count > MAX_COUNT) {
      throw new InvalidConsistencyToken('A consistency token is malformed.');
    }
    byTopic.set(topic, count);
  }
  return { writeId, issuedAt, counts: byTopic };
}

/**
 * The tokens of a `Consistency-Token` request header (comma-separated, at
 * most 16, each made for `practiceId`); none when there is no header.
 */
export function decodeConsistencyTokens(
  secret: string,
  practiceId: string,
  header: string | string[] | undefined,
): ConsistencyToken[] {
  if (header === undefined) return [];
  const texts = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((text) => text.trim());
  if (texts.some((text) => !text)) {
    throw new InvalidConsistencyToken('The Consistency-Token header has an empty entry.');
  }
  if (texts.length > MAX_TOKENS_PER_REQUEST) {
    throw new InvalidConsistencyToken(
      `At most ${MAX_TOKENS_PER_REQUEST} consistency tokens may be sent at once.`,
    );
  }
  return texts.map((text) => decodeOne(secret, practiceId, text));
}
