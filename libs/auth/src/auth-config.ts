import type { ConfigReader } from '@gm/service-kit';

/**
 * The shared HS256 secret of development and tests (docker-compose, the native
 * demo, `tools/mint-token.ts`). It is public: production MUST verify RS256
 * tokens through AUTH_JWKS_URL, and readAuthConfig refuses to fall back to a
 * development secret when NODE_ENV=production.
 */
export const DEVELOPMENT_JWT_SECRET = 'dev-only-change-me-0123456789abcdef';

/** Shortest HS256 secret accepted (256 bits of ASCII). */
export const MIN_SECRET_LENGTH = 32;

/** Exactly one of `jwtSecret` (HS256) and `jwksUrl` (RS256) is set. */
export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  /** When set, tokens must carry this `iss`. */
  issuer?: string;
  /** When set, tokens must carry this `aud`. */
  audience?: string;
  /**
   * OPERATOR_CLIENT_IDS: when set, only these system clients (`sub`) count as
   * operators, on top of the `gm:operator` scope (ADR 0019).
   */
  operatorClientIds?: string[];
}

const SECRET = 'AUTH_JWT_SECRET';
const JWKS = 'AUTH_JWKS_URL';
const ISSUER = 'AUTH_JWT_ISSUER';
const AUDIENCE = 'AUTH_JWT_AUDIENCE';
const OPERATORS = 'OPERATOR_CLIENT_IDS';

/**
 * Reads AUTH_JWT_SECRET (HS256, development and tests) or AUTH_JWKS_URL
 * (RS256 via JWKS, production), plus AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE.
 * Exactly one of the secret and the JWKS URL must be set; when neither is and
 * `defaults.devSecret` is given (and NODE_ENV is not production), that secret
 * is used. With JWKS, issuer and audience are required: an identity
 * provider's keys sign tokens for other applications too.
 */
export function readAuthConfig(
  reader: ConfigReader,
  defaults: { devSecret?: string } = {},
): AuthConfig {
  const config = readVerification(reader, defaults);
  const operatorClientIds = readOperatorClientIds(reader);
  return operatorClientIds ? { ...config, operatorClientIds } : config;
}

/** A comma-separated list of system client ids; unset: the scope alone decides. */
function readOperatorClientIds(reader: ConfigReader): string[] | undefined {
  const raw = reader.optionalString(OPERATORS);
  if (raw === undefined) return undefined;
  const ids = raw
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (!ids.length || ids.some((id) => id.length > 128 || /\s/.test(id))) {
    reader.problem(`${OPERATORS} must be a comma-separated list of client ids`);
  }
  return ids;
}

function readVerification(reader: ConfigReader, defaults: { devSecret?: string }): AuthConfig {
  const explicitSecret = reader.optionalString(SECRET);
  const jwksUrl = reader.optionalString(JWKS);
  const issuer = reader.optionalString(ISSUER);
  const audience = reader.optionalString(AUDIENCE);
  const production = reader.optionalString('NODE_ENV') === 'production';

  if (explicitSecret && jwksUrl) {
    reader.problem(`set only one of ${SECRET} (HS256) and ${JWKS} (RS256), not both`);
    return { issuer, audience };
  }

  if (jwksUrl) {
    reader.url(JWKS, ['https:', 'http:']);
    if (!issuer) reader.problem(`${ISSUER} is required with ${JWKS}`);
    if (!audience) reader.problem(`${AUDIENCE} is required with ${JWKS}`);
    return { jwksUrl, issuer, audience };
  }

  const jwtSecret = explicitSecret ?? (production ? undefined : defaults.devSecret);
  if (!jwtSecret) {
    reader.problem(
      production && defaults.devSecret
        ? `${SECRET} or ${JWKS} is required in production (the development secret is public)`
        : `${SECRET} or ${JWKS} is required (exactly one)`,
    );
    return { issuer, audience };
  }
  if (jwtSecret.length < MIN_SECRET_LENGTH) {
    reader.problem(`${SECRET} must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return { jwtSecret, issuer, audience };
}
