import { ConfigError } from '@gm/service-kit';
import { readServiceConfig } from './service-config.js';

const SECRET = 'a-secret-of-at-least-32-characters!!';
const service = { name: 'svc', port: 3000, database: 'gm_svc' };

function problems(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a configuration error');
}

describe('readServiceConfig', () => {
  it('reads infrastructure, auth and the service’s own settings into one object', () => {
    const config = readServiceConfig(
      { AUTH_JWT_SECRET: SECRET, PORT: '8080', LIMIT: '7' },
      { ...service, bodyLimit: '5mb' },
      (reader) => ({ limit: reader.int('LIMIT', 1) }),
    );
    expect(config).toMatchObject({
      serviceName: 'svc',
      port: 8080,
      mongoDatabase: 'gm_svc',
      kafkaConsumerGroup: 'svc',
      bodyLimit: '5mb',
      auth: { jwtSecret: SECRET },
      limit: 7,
    });
  });

  it('uses the default body limit when the service names none', () => {
    expect(readServiceConfig({ AUTH_JWT_SECRET: SECRET }, service).bodyLimit).toBe('64kb');
  });

  it('names every bad variable of infrastructure, auth and its own settings in one error', () => {
    const found = problems(() =>
      readServiceConfig({ PORT: 'eighty', AUTH_JWT_SECRET: 'short', LIMIT: '0' }, service, (r) => ({
        limit: r.int('LIMIT', 1, { min: 1 }),
      })),
    );
    expect(found).toEqual([
      expect.stringContaining('PORT must be an integer'),
      expect.stringContaining('AUTH_JWT_SECRET must be at least 32 characters'),
      expect.stringContaining('LIMIT must be an integer from 1'),
    ]);
  });

  it('requires a way to verify tokens', () => {
    expect(problems(() => readServiceConfig({}, service))).toEqual([
      expect.stringContaining('AUTH_JWT_SECRET or AUTH_JWKS_URL is required'),
    ]);
  });

  describe('the consistency-token secret (ADR 0018)', () => {
    const jwks = {
      AUTH_JWKS_URL: 'https://idp.example/jwks.json',
      AUTH_JWT_ISSUER: 'https://idp.example/',
      AUTH_JWT_AUDIENCE: 'group-messages',
    };

    it('is derived from the HS256 secret when not given, and differs from it', () => {
      const one = readServiceConfig({ AUTH_JWT_SECRET: SECRET }, service).consistency.secret;
      const other = readServiceConfig({ AUTH_JWT_SECRET: `${SECRET}x` }, service).consistency;
      expect(one).toHaveLength(43);
      expect(one).not.toContain(SECRET);
      expect(other.secret).not.toBe(one);
      expect(other.waitMs).toBe(10_000);
    });

    it('is the one given, and CONSISTENCY_WAIT_MS bounds the wait', () => {
      const given = 'c'.repeat(32);
      const config = readServiceConfig(
        { ...jwks, CONSISTENCY_TOKEN_SECRET: given, CONSISTENCY_WAIT_MS: '2500' },
        service,
      );
      expect(config.consistency).toEqual({ secret: given, waitMs: 2500 });
    });

    it('is required with JWKS, and refused when short or the wait out of range', () => {
      expect(problems(() => readServiceConfig(jwks, service))).toEqual([
        'CONSISTENCY_TOKEN_SECRET is required with AUTH_JWKS_URL',
      ]);
      expect(
        problems(() =>
          readServiceConfig(
            { ...jwks, CONSISTENCY_TOKEN_SECRET: 'short', CONSISTENCY_WAIT_MS: '-1' },
            service,
          ),
        ),
      ).toEqual([
        expect.stringContaining('CONSISTENCY_TOKEN_SECRET must be at least 32 characters'),
        expect.stringContaining('CONSISTENCY_WAIT_MS must be an integer from 0 to 60000'),
      ]);
    });
  });
});
