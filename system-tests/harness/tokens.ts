/**
 * Tokens as the identity provider would issue them (HS256 with the run's
 * secret), and the broken ones the authorization matrix sends.
 */
import { mintToken, type ActorKind } from '@gm/auth';

export interface Principal {
  actor: ActorKind;
  sub: string;
  practiceId: string;
  /** OAuth scope values (`gm:operator`: a platform operator's system client, ADR 0019). */
  scope?: string[];
}

export const OPERATOR_SCOPE = ['gm:operator'];

/** Another secret, as long as a real one: a token signed with it has a bad signature. */
export const FOREIGN_SECRET = 'not-the-services-secret-0123456789-abcdef';

export function token(
  secret: string,
  principal: Principal,
  expiresIn: number | string = '15m',
): Promise<string> {
  const { scope, ...claims } = principal;
  return mintToken(secret, claims, { expiresIn, scope });
}

/** Expired a minute ago (beyond the services' 5 s clock tolerance). */
export const expiredToken = (secret: string, principal: Principal) => token(secret, principal, -60);

export const badSignatureToken = (principal: Principal) => token(FOREIGN_SECRET, principal);

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `alg: none`, no signature: must never be accepted. */
export function unsignedToken(principal: Principal): string {
  const now = Math.floor(Date.now() / 1000);
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
    sub: principal.sub,
    practiceId: principal.practiceId,
    actor: principal.actor,
    ...(principal.scope ? { scope: principal.scope.join(' ') } : {}),
    iat: now,
    exp: now + 600,
  })}.`;
}

/** Memoizes minted tokens per principal for the length of a suite. */
export class TokenBox {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(private readonly secret: string) {}

  for(principal: Principal): Promise<string> {
    const key = `${principal.actor}:${principal.practiceId}:${principal.sub}:${principal.scope?.join(' ') ?? ''}`;
    let minted = this.tokens.get(key);
    if (!minted) {
      minted = token(this.secret, principal, '1h');
      this.tokens.set(key, minted);
    }
    return minted;
  }

  member = (practiceId: string, sub: string) => this.for({ actor: 'member', sub, practiceId });
  patient = (practiceId: string, sub: string) => this.for({ actor: 'patient', sub, practiceId });
  system = (practiceId: string, sub = 'sys_system_tests') =>
    this.for({ actor: 'system', sub, practiceId });
  /** A platform operator's system token (the gm:operator scope), e.g. for POST /admin/rebuild. */
  operator = (practiceId: string, sub = 'ops_system_tests') =>
    this.for({ actor: 'system', sub, practiceId, scope: OPERATOR_SCOPE });
}
