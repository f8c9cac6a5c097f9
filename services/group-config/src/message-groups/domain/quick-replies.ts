import { characterCount, groupNameKey, misleadingName } from './group-name.js';
import type { MessageGroupState } from './message-group.js';
import { MessageGroupRuleViolation } from './message-group-errors.js';

/**
 * A group's quick replies: reply templates its Admins keep, in their order,
 * for the group's members to insert into a reply (the inserting is the
 * client's business; the reply then follows routing's rules like any other).
 */

/** A template as submitted: one sent with its id keeps it, one without is new. */
export interface QuickReplyDraft {
  quickReplyId?: string;
  title: string;
  text: string;
}

/** A template as stored and answered. */
export interface QuickReply {
  quickReplyId: string;
  title: string;
  text: string;
}

/** Bounds the rules take from the wire: a template's text is a reply's, whose limit is ReplySent's. */
export interface QuickReplyLimits {
  /** The longest text in Unicode code points (MAX_REPLY_BODY_LENGTH of @gm/contracts). */
  maxTextLength: number;
}

export const MAX_QUICK_REPLIES = 100;
export const MAX_QUICK_REPLY_TITLE_LENGTH = 100;

/** C0 controls other than tab, line feed and carriage return, and DEL: refused in a reply. */
// eslint-disable-next-line no-control-regex
const REPLY_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const invalid = (code: string, message: string) => new MessageGroupRuleViolation(code, message);

/** The group's members see its quick replies (holders of Practice Access too, which the caller checks). */
export const mayReadQuickReplies = (group: Pick<MessageGroupState, 'members'>, memberId: string) =>
  group.members.some((member) => member.memberId === memberId);

/** The group's Admins manage its quick replies (holders of Practice Access too, which the caller checks). */
export const mayChangeQuickReplies = (
  group: Pick<MessageGroupState, 'members'>,
  memberId: string,
) => group.members.some((member) => member.memberId === memberId && member.privilege === 'admin');

/** At most 100 templates a group. */
export function assertAtMostMaxQuickReplies(drafts: readonly QuickReplyDraft[]): void {
  if (drafts.length > MAX_QUICK_REPLIES) {
    throw invalid(
      'too-many-quick-replies',
      `a group has at most ${MAX_QUICK_REPLIES} quick replies (got ${drafts.length})`,
    );
  }
}

/**
 * The title as members pick it from a list, the rule of group names
 * (group-name.ts): trimmed, 1–100 characters (code points), no control
 * characters or text-direction overrides; and something visible in it (what
 * tells titles apart is not only blanks and invisible characters).
 */
export function quickReplyTitle(raw: string): string {
  const title = raw.trim();
  if (!groupNameKey(title))
    throw invalid('invalid-quick-reply-title', 'a quick reply needs a title');
  if (misleadingName(title)) {
    throw invalid(
      'invalid-quick-reply-title',
      'a quick-reply title cannot hold control characters or text-direction overrides',
    );
  }
  if (characterCount(title) > MAX_QUICK_REPLY_TITLE_LENGTH) {
    throw invalid(
      'invalid-quick-reply-title',
      `a quick-reply title has at most ${MAX_QUICK_REPLY_TITLE_LENGTH} characters`,
    );
  }
  return title;
}

/**
 * The text as a reply's body (routing-assignment's reply rule): something
 * other than white space, no C0 control characters but tab and line breaks,
 * no DEL. Kept as written.
 */
export function assertQuickReplyText(text: string): void {
  if (!/\S/.test(text)) throw invalid('invalid-quick-reply-text', 'a quick reply needs some text');
  if (REPLY_CONTROL.test(text)) {
    throw invalid(
      'invalid-quick-reply-text',
      'a quick reply is plain text: no control characters but tab and line breaks',
    );
  }
}

/** At most a reply's length: 20,000 characters (code points). */
export function assertQuickReplyTextLength(text: string, limits: QuickReplyLimits): void {
  if (characterCount(text) > limits.maxTextLength) {
    throw invalid(
      'quick-reply-too-long',
      `a quick reply has at most ${limits.maxTextLength} characters, as a reply`,
    );
  }
}

/** Titles tell templates apart: unique in the group, as group names in a practice (case, spaces, invisible characters do not count). */
export function assertUniqueTitles(titles: readonly string[]): void {
  const seen = new Set<string>();
  for (const title of titles) {
    const key = groupNameKey(title);
    if (seen.has(key)) {
      throw invalid(
        'duplicate-quick-reply-title',
        `two quick replies of the group are titled "${title}"`,
      );
    }
    seen.add(key);
  }
}

/** A template is sent at most once: one id, one place in the list. */
export function assertQuickReplyIdsOnce(drafts: readonly QuickReplyDraft[]): void {
  const seen = new Set<string>();
  for (const { quickReplyId } of drafts) {
    if (quickReplyId === undefined) continue;
    if (seen.has(quickReplyId)) {
      throw invalid(
        'duplicate-quick-reply-id',
        `quick reply ${quickReplyId} is sent twice: a template has one place in the list`,
      );
    }
    seen.add(quickReplyId);
  }
}

/** An id sent is one of the group's current templates: ids are given by the service, never chosen. */
export function assertKnownQuickReplies(
  drafts: readonly QuickReplyDraft[],
  stored: readonly QuickReply[],
): void {
  const known = new Set(stored.map((q) => q.quickReplyId));
  for (const { quickReplyId } of drafts) {
    if (quickReplyId !== undefined && !known.has(quickReplyId)) {
      throw invalid(
        'unknown-quick-reply',
        `the group has no quick reply ${quickReplyId}: send a new template without an id`,
      );
    }
  }
}

/**
 * Checks a group's quick replies (a full replacement) against every rule, in
 * this order, and answers them as they will be stored (titles trimmed, texts
 * as written, the order kept): the count, each template's title, text and
 * length, ids sent once and known to the group, titles unique.
 */
export function checkQuickReplies(
  drafts: readonly QuickReplyDraft[],
  stored: readonly QuickReply[],
  limits: QuickReplyLimits,
): QuickReplyDraft[] {
  assertAtMostMaxQuickReplies(drafts);
  const checked = drafts.map((draft): QuickReplyDraft => {
    const title = quickReplyTitle(draft.title);
    assertQuickReplyText(draft.text);
    assertQuickReplyTextLength(draft.text, limits);
    return draft.quickReplyId === undefined
      ? { title, text: draft.text }
      : { quickReplyId: draft.quickReplyId, title, text: draft.text };
  });
  assertQuickReplyIdsOnce(checked);
  assertKnownQuickReplies(checked, stored);
  assertUniqueTitles(checked.map((q) => q.title));
  return checked;
}

/**
 * Gives each checked template its id: the one it was sent with; else that of
 * the stored template with the same title and text, if no other template of
 * the list was sent with it (so sending the list again without ids changes
 * nothing); else a new one.
 */
export function withQuickReplyIds(
  stored: readonly QuickReply[],
  checked: readonly QuickReplyDraft[],
  newId: () => string,
): QuickReply[] {
  const claimed = new Set(checked.flatMap((q) => (q.quickReplyId ? [q.quickReplyId] : [])));
  return checked.map(({ quickReplyId, title, text }) => ({
    quickReplyId:
      quickReplyId ??
      stored.find((s) => !claimed.has(s.quickReplyId) && s.title === title && s.text === text)
        ?.quickReplyId ??
      newId(),
    title,
    text,
  }));
}

/** Exactly a template's fields, in a fixed order (a stored object may hold more). */
export const quickReplyOf = (q: QuickReply): QuickReply => ({
  quickReplyId: q.quickReplyId,
  title: q.title,
  text: q.text,
});

/** The same templates with the same ids, in the same order. */
export function sameQuickReplies(a: readonly QuickReply[], b: readonly QuickReply[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (q, i) =>
        q.quickReplyId === b[i]!.quickReplyId && q.title === b[i]!.title && q.text === b[i]!.text,
    )
  );
}
