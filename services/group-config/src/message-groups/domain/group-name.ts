import { MessageGroupRuleViolation } from './message-group-errors.js';

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;

/**
 * Patients choose a group by its name, so a name must read as it is stored:
 * control characters and bidirectional overrides/isolates (which can make
 * "Billing\u202Etxe.gnp" display as something else) are refused.
 */
const MISLEADING = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Invisible format characters (zero-width space, BOM, joiners) do not tell names apart. */
const INVISIBLE = /\p{Cf}/gu;

/**
 * Whether a name would not read as it is stored (a control character or a
 * bidirectional override or isolate): the rule of every name people pick
 * from a list here, group names and quick-reply titles.
 */
export const misleadingName = (text: string): boolean => MISLEADING.test(text);

/** Its length as people count it: Unicode code points, not UTF-16 units. */
export const characterCount = (text: string): number => [...text].length;

/** The name as shown: trimmed, 1–100 characters (code points, as a patient counts them). */
export function groupName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new MessageGroupRuleViolation('group-name-required', 'a group needs a name');
  if (misleadingName(name)) {
    throw new MessageGroupRuleViolation(
      'group-name-invalid-characters',
      'a group name cannot hold control characters or text-direction overrides',
    );
  }
  if (characterCount(name) > MAX_NAME_LENGTH) {
    throw new MessageGroupRuleViolation(
      'group-name-too-long',
      `a group name has at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/**
 * What makes two names the same group name in a practice: case, surrounding
 * spaces, runs of inner spaces and Unicode compatibility forms do not count
 * invisible format characters do not count either ("Billing Team",
 * " billing  team ", "BILLING TEAM", "Bil\u200Bling Team" are one name).
 */
export function groupNameKey(name: string): string {
  return name.normalize('NFKC').replace(INVISIBLE, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function groupDescription(raw: string | undefined): string {
  const description = (raw ?? '').trim();
  if (characterCount(description) > MAX_DESCRIPTION_LENGTH) {
    throw new MessageGroupRuleViolation(
      'group-description-too-long',
      `a group description has at most ${MAX_DESCRIPTION_LENGTH} characters`,
    );
  }
  return description;
}
