import { MessageGroupRuleViolation } from './message-group-errors.js';

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;

/** The name as shown: trimmed, 1–100 characters. */
export function groupName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new MessageGroupRuleViolation('group-name-required', 'a group needs a name');
  if (name.length > MAX_NAME_LENGTH) {
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
 * ("Billing Team", " billing  team ", "BILLING TEAM" are one name).
 */
export function groupNameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function groupDescription(raw: string | undefined): string {
  const description = (raw ?? '').trim();
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new MessageGroupRuleViolation(
      'group-description-too-long',
      `a group description has at most ${MAX_DESCRIPTION_LENGTH} characters`,
    );
  }
  return description;
}
