import { loadConfig } from './config.js';

const hs256 = { AUTH_JWT_SECRET: 'a-development-secret-of-at-least-32-chars' };
const jwks = {
  AUTH_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
  AUTH_JWT_ISSUER: 'https://auth.example.com/',
  AUTH_JWT_AUDIENCE: 'group-messages',
  CONSISTENCY_TOKEN_SECRET: 'c'.repeat(32),
};
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as { problems: string[] }).problems;
  }
};

describe('routing-assignment configuration: the analytics patient key', () => {
  it('takes the key and its id as given', () => {
    const config = loadConfig({
      ...jwks,
      ANALYTICS_PATIENT_KEY: 'k'.repeat(32),
      ANALYTICS_PATIENT_KEY_ID: 'k2',
    });
    expect(config.analyticsPatientKey).toEqual({ id: 'k2', secret: 'k'.repeat(32) });
  });

  it('derives the key from an HS256 secret when none is set, under the id k1', () => {
    const { analyticsPatientKey } = loadConfig(hs256);
    expect(analyticsPatientKey.id).toBe('k1');
    expect(analyticsPatientKey.secret).toHaveLength(43);
    expect(analyticsPatientKey.secret).not.toContain(hs256.AUTH_JWT_SECRET);
  });

  it('refuses to start without a key beside a JWKS, with a short key, or a malformed id', () => {
    expect(problems(jwks)).toEqual(['ANALYTICS_PATIENT_KEY is required with AUTH_JWKS_URL']);
    expect(problems({ ...hs256, ANALYTICS_PATIENT_KEY: 'short' })).toEqual([
      'ANALYTICS_PATIENT_KEY must be at least 32 characters',
    ]);
    expect(problems({ ...hs256, ANALYTICS_PATIENT_KEY_ID: 'not an id' })).toEqual([
      'ANALYTICS_PATIENT_KEY_ID must be 1-32 of A-Z a-z 0-9 _ -',
    ]);
  });
});
