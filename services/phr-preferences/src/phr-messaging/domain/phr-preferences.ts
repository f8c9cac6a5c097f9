export type PatientMessagePreference = 'groups-only' | 'members-only' | 'groups-and-members';
export type MemberRecipientScope = 'all-members' | 'care-team';

/** Settings > PHR Settings > Preferences: whether, and whom, patients may message from the PHR. */
export interface PhrMessagingPreferences {
  /** Message/Documents: "Allow patients to send messages from PHR". */
  allowPatientMessages: boolean;
  /** Patient Message Preferences. */
  patientMessagePreference: PatientMessagePreference;
  /** With Members Only or Both: every practice member, or the patient's in-house care team only. */
  memberRecipients: MemberRecipientScope;
  /** Members never offered to patients. */
  excludedMemberIds: string[];
}

/**
 * A practice that never saved its settings (ADR 0007): patients cannot send,
 * as a PHR account starts with messaging off until the practice says Yes;
 * once allowed, they reach the practice's members, as before groups existed.
 */
export const DEFAULT_PHR_PREFERENCES: PhrMessagingPreferences = {
  allowPatientMessages: false,
  patientMessagePreference: 'members-only',
  memberRecipients: 'all-members',
  excludedMemberIds: [],
};

export const MAX_EXCLUDED_MEMBERS = 500;

export class PhrPreferencesRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: 'invalid' | 'forbidden' | 'conflict' = 'invalid',
  ) {
    super(message);
    this.name = 'PhrPreferencesRuleViolation';
  }
}

/**
 * Checks new preferences. Excluded members must be members of the practice
 * (active or not: excluding someone about to return is allowed). Settings
 * that do not apply to the chosen preference (member scope under Groups Only)
 * are kept, so switching back restores them.
 */
export async function checkPhrPreferences(
  draft: PhrMessagingPreferences,
  isPracticeMember: (memberIds: string[]) => Promise<Set<string>>,
): Promise<PhrMessagingPreferences> {
  const excluded = [...new Set(draft.excludedMemberIds)].sort();
  if (excluded.length > MAX_EXCLUDED_MEMBERS) {
    throw new PhrPreferencesRuleViolation(
      'too-many-excluded-members',
      `at most ${MAX_EXCLUDED_MEMBERS} excluded members`,
    );
  }
  const known = await isPracticeMember(excluded);
  const unknown = excluded.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new PhrPreferencesRuleViolation(
      'unknown-member',
      `not members of this practice: ${unknown.join(', ')}`,
    );
  }
  return {
    allowPatientMessages: draft.allowPatientMessages,
    patientMessagePreference: draft.patientMessagePreference,
    memberRecipients: draft.memberRecipients,
    excludedMemberIds: excluded,
  };
}
