import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import type { AuthConfig } from './auth-config.js';
import { MIN_SECRET_LENGTH } from './auth-config.js';
import { isActorKind, isIdentifier, MAX_SCOPE_LENGTH, MAX_SCOPES, type Caller } from './caller.js';
import { AuthenticationFailed, AuthenticationUnavailable } from './errors.js';

/** Seconds of clock skew accepted on `exp` / `nbf` / `iat`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Compact JWTs longer than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

/** jose errors that mean "this token is not acceptable" (as opposed to "keys unavailable"). */
const TOKEN_ERROR_CODES = new Set([
  errors.JWSInvalid.code,
  errors.JWTInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JWKInvalid.code,
]);

/**
 * Verifies a compact JWT and returns the caller it names. The algorithm is
 * pinned by the configuration (HS256 with a secret, RS256 with a JWKS), so
 * `alg: none` and algorithm confusion are refused.
 */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly remote: boolean;
  private readonly options: JWTVerifyOptions;

  constructor(config: AuthConfig) {
    if (!!config.jwtSecret === !!config.jwksUrl) {
      throw new Error('TokenVerifier needs exactly one of jwtSecret and jwksUrl');
    }
    if (config.jwtSecret !== undefined) {
      if (config.jwtSecret.length < MIN_SECRET_LENGTH) {
        throw new Error(`the JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
      }
      this.key = new TextEncoder().encode(config.jwtSecret);
      this.remote = false;
    } else {
      // Fetched on first use, cached, and refetched (rate-limited) for an unknown `kid`.
      this.key = createRemoteJWKSet(new URL(config.jwksUrl as string));
      this.remote = true;
    }
    this.options = {
      algorithms: [this.remote ? 'RS256' : 'HS256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    };
  }

  /**
   * @throws AuthenticationFailed (`token-expired` or `token-invalid`)
   * @throws AuthenticationUnavailable when the JWKS cannot be fetched
   */
  async verify(token: string): Promise<Caller> {
    if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) {
      throw new AuthenticationFailed('token-invalid');
    }
    let payload: JWTPayload;
    try {
      payload = (
        await (this.remote
          ? jwtVerify(token, this.key as JWTVerifyGetKey, this.options)
          : jwtVerify(token, this.key as Uint8Array, this.options))
      ).payload;
    } catch (error) {
      throw this.translate(error);
    }
    const { sub, practiceId, actor, scope, client_id } = payload as JWTPayload &
      Record<string, unknown>;
    if (!isIdentifier(sub) || !isIdentifier(practiceId) || !isActorKind(actor)) {
      throw new AuthenticationFailed('token-invalid');
    }
    // A malformed client claim makes the token invalid, as a malformed scope does.
    if (client_id !== undefined && !isIdentifier(client_id)) {
      throw new AuthenticationFailed('token-invalid');
    }
    return {
      actor,
      id: sub,
      practiceId,
      ...(scope === undefined ? {} : { scopes: scopesOf(scope) }),
      ...(client_id === undefined ? {} : { clientId: client_id }),
    };
  }

  private translate(error: unknown): Error {
    if (error instanceof errors.JWTExpired) return new AuthenticationFailed('token-expired');
    const code = error instanceof errors.JOSEError ? error.code : undefined;
    if (code && TOKEN_ERROR_CODES.has(code)) return new AuthenticationFailed('token-invalid');
    // With a JWKS, anything else is the key set's fetch failing (network,
    // timeout, non-200, bad JSON, malformed set).
    if (this.remote) return new AuthenticationUnavailable({ cause: error });
    return new AuthenticationFailed('token-invalid');
  }
}

/**
 * The `scope` claim (RFC 8693 §4.2: one string of space-separated values);
 * anything else (an array, a number, an oversize string) makes the token
 * invalid rather than silently scope-less.
 */
function scopesOf(scope: unknown): string[] {
  if (typeof scope !== 'string' || scope.length > MAX_SCOPE_LENGTH) {
    throw new AuthenticationFailed('token-invalid');
  }
  const scopes = scope.split(' ').filter(Boolean);
  if (scopes.length > MAX_SCOPES) throw new AuthenticationFailed('token-invalid');
  return [...new Set(scopes)];
}
