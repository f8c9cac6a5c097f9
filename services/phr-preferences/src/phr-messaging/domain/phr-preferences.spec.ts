import {
  checkPhrPreferences,
  DEFAULT_PHR_PREFERENCES,
  PhrPreferencesRuleViolation,
  type PhrMessagingPreferences,
} from './phr-preferences.js';

const practiceMembers = new Set(['mbr_alice', 'mbr_bob', 'mbr_gone']);
const lookup = async (ids: string[]) => new Set(ids.filter((id) => practiceMembers.has(id)));

const preferences = (
  overrides: Partial<PhrMessagingPreferences> = {},
): PhrMessagingPreferences => ({
  allowPatientMessages: true,
  patientMessagePreference: 'groups-and-members',
  memberRecipients: 'care-team',
  excludedMemberIds: [],
  ...overrides,
});

describe('PHR messaging preferences', () => {
  it('start with patient messaging off', () => {
    expect(DEFAULT_PHR_PREFERENCES.allowPatientMessages).toBe(false);
  });

  it('keep excluded members once each, in a stable order', async () => {
    const checked = await checkPhrPreferences(
      preferences({ excludedMemberIds: ['mbr_bob', 'mbr_alice', 'mbr_bob'] }),
      lookup,
    );
    expect(checked.excludedMemberIds).toEqual(['mbr_alice', 'mbr_bob']);
  });

  it('exclude only members of the practice', async () => {
    await expect(
      checkPhrPreferences(
        preferences({ excludedMemberIds: ['mbr_alice', 'mbr_of_other_practice'] }),
        lookup,
      ),
    ).rejects.toMatchObject({ code: 'unknown-member' });
  });

  it('refuse more than 500 exclusions', async () => {
    const many = Array.from({ length: 501 }, (_, i) => `m${i}`);
    await expect(
      checkPhrPreferences(preferences({ excludedMemberIds: many }), async (ids) => new Set(ids)),
    ).rejects.toBeInstanceOf(PhrPreferencesRuleViolation);
  });

  it('keep the member settings under Groups Only, so switching back restores them', async () => {
    const checked = await checkPhrPreferences(
      preferences({
        patientMessagePreference: 'groups-only',
        memberRecipients: 'care-team',
        excludedMemberIds: ['mbr_bob'],
      }),
      lookup,
    );
    expect(checked).toMatchObject({
      memberRecipients: 'care-team',
      excludedMemberIds: ['mbr_bob'],
    });
  });
});
