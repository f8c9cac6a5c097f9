import { ConfigError, ConfigReader } from '@gm/service-kit';
import { DEVELOPMENT_JWT_SECRET, readAuthConfig } from './auth-config.js';

const SECRET = 'a-secret-of-at-least-32-characters!!';

function read(env: Record<string, string>, defaults?: { devSecret?: string }) {
  const reader = new ConfigReader(env);
  const config = readAuthConfig(reader, defaults);
  reader.done();
  return config;
}

function problems(env: Record<string, string>, defaults?: { devSecret?: string }): string[] {
  try {
    read(env, defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a configuration error');
}

describe('readAuthConfig', () => {
  it('reads an HS256 secret with issuer and audience', () => {
    expect(
      read({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ISSUER: 'gm-dev', AUTH_JWT_AUDIENCE: 'gm' }),
    ).toEqual({ jwtSecret: SECRET, issuer: 'gm-dev', audience: 'gm' });
  });

  it('reads a JWKS URL, which needs issuer and audience', () => {
    expect(
      read({
        AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
        AUTH_JWT_ISSUER: 'https://idp.example/',
        AUTH_JWT_AUDIENCE: 'group-messages',
      }),
    ).toEqual({
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      issuer: 'https://idp.example/',
      audience: 'group-messages',
    });
    expect(problems({ AUTH_JWKS_URL: 'https://idp.example/jwks' })).toEqual([
      expect.stringContaining('AUTH_JWT_ISSUER is required'),
      expect.stringContaining('AUTH_JWT_AUDIENCE is required'),
    ]);
    expect(
      problems({ AUTH_JWKS_URL: 'ftp://idp', AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a' }),
    ).toEqual([expect.stringContaining('AUTH_JWKS_URL must use')]);
  });

  it('refuses both a secret and a JWKS URL, naming both', () => {
    const [problem, ...rest] = problems({
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWKS_URL: 'https://idp.example/jwks',
    });
    expect(rest).toEqual([]);
    expect(problem).toContain('AUTH_JWT_SECRET');
    expect(problem).toContain('AUTH_JWKS_URL');
  });

  it('refuses neither, without a development default', () => {
    const [problem] = problems({});
    expect(problem).toContain('AUTH_JWT_SECRET');
    expect(problem).toContain('AUTH_JWKS_URL');
  });

  it('uses the development default when nothing is set, but never in production', () => {
    expect(read({}, { devSecret: DEVELOPMENT_JWT_SECRET })).toEqual({
      jwtSecret: DEVELOPMENT_JWT_SECRET,
    });
    expect(problems({ NODE_ENV: 'production' }, { devSecret: DEVELOPMENT_JWT_SECRET })).toEqual([
      expect.stringContaining('required in production'),
    ]);
    expect(
      read(
        { NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET },
        { devSecret: DEVELOPMENT_JWT_SECRET },
      ),
    ).toEqual({ jwtSecret: SECRET });
  });

  it('refuses a secret shorter than 32 characters without printing it', () => {
    const found = problems({ AUTH_JWT_SECRET: 'too-short-secret' });
    expect(found).toEqual([expect.stringContaining('AUTH_JWT_SECRET must be at least 32')]);
    expect(found.join()).not.toContain('too-short-secret');
  });

  it('reads OPERATOR_CLIENT_IDS as a list, and refuses an empty one', () => {
    expect(
      read({ AUTH_JWT_SECRET: SECRET, OPERATOR_CLIENT_IDS: ' ops_oncall , ops_backup ' }),
    ).toEqual({ jwtSecret: SECRET, operatorClientIds: ['ops_oncall', 'ops_backup'] });
    expect(read({ AUTH_JWT_SECRET: SECRET })).not.toHaveProperty('operatorClientIds');
    expect(problems({ AUTH_JWT_SECRET: SECRET, OPERATOR_CLIENT_IDS: ',' })).toEqual([
      expect.stringContaining('OPERATOR_CLIENT_IDS'),
    ]);
  });

  it('reports its problems together with the other variables', () => {
    const reader = new ConfigReader({ PORT: 'x', AUTH_JWT_SECRET: 'short' });
    reader.int('PORT', 3000, { min: 1, max: 65535 });
    readAuthConfig(reader);
    expect(() => reader.done()).toThrow(/PORT[\s\S]*AUTH_JWT_SECRET/);
  });
});
