import { SignJWT } from 'jose';
import { MIN_SECRET_LENGTH } from './auth-config.js';
import { isActorKind, isIdentifier, type ActorKind } from './caller.js';

export interface MintTokenOptions {
  /** A jose time span (`'8h'`, `'15m'`) or a number of seconds from now (negative: already expired). Default 1 hour. */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  /** OAuth `scope` values, e.g. `['gm:operator']` (ADR 0019); written as one space-separated claim. */
  scope?: readonly string[];
  /** The OAuth client the token is issued to (`client_id`, RFC 9068): the app a patient uses. */
  clientId?: string;
}

/** Signs an HS256 token, for development and tests only (production tokens come from the identity provider). */
export async function mintToken(
  secret: string,
  claims: { sub: string; practiceId: string; actor: ActorKind },
  options: MintTokenOptions = {},
): Promise<string> {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`the JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (!isIdentifier(claims.sub) || !isIdentifier(claims.practiceId) || !isActorKind(claims.actor)) {
    throw new Error('sub and practiceId must be 1-128 characters; actor member, patient or system');
  }
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? '1h';
  const scope = options.scope?.length ? { scope: options.scope.join(' ') } : {};
  if (options.scope?.some((value) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value))) {
    throw new Error('scope values are printable ASCII without spaces, quotes or backslashes');
  }
  if (options.clientId !== undefined && !isIdentifier(options.clientId)) {
    throw new Error('clientId must be 1-128 characters');
  }
  const client = options.clientId === undefined ? {} : { client_id: options.clientId };
  const jwt = new SignJWT({
    practiceId: claims.practiceId,
    actor: claims.actor,
    ...scope,
    ...client,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(typeof expiresIn === 'number' ? now + expiresIn : expiresIn);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
