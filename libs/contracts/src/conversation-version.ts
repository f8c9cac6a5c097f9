/**
 * What a member had seen of a thread's conversation when they opened it: how
 * many patient messages and how many replies. inbox-projection gives it with
 * the thread (`conversationVersion`); a reply sends it back as `If-Match`, and
 * routing-assignment refuses the reply if a patient message or another reply
 * landed since (409 `thread-changed`). Two counts rather than the thread's
 * version: a patient's follow-up does not step the practice side's version,
 * and assignments or notes, which do, make no reply stale.
 */
export interface ConversationVersion {
  patientMessages: number;
  replies: number;
}

/**
 * The wire form, `m<patient messages>r<replies>`, e.g. `m3r1`: letters and
 * digits only, so an If-Match value needs no escaping anywhere (and
 * Schemathesis generates it from the pattern).
 */
export const formatConversationVersion = (seen: ConversationVersion): string =>
  `m${seen.patientMessages}r${seen.replies}`;

/** The wire form's pattern, for the OpenAPI documents (an If-Match value may be quoted). */
export const CONVERSATION_VERSION_PATTERN = '^\\s*"?m[0-9]{1,6}r[0-9]{1,6}"?\\s*$';

/** Reads the wire form (quoted or not); null when it is not one. */
export function parseConversationVersion(text: string): ConversationVersion | null {
  const match = /^"?m(\d{1,6})r(\d{1,6})"?$/.exec(text.trim());
  if (!match) return null;
  return { patientMessages: Number(match[1]), replies: Number(match[2]) };
}
