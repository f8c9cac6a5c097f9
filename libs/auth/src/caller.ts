/** Who is calling: a practice member (staff), a patient, or a system client. */
export type ActorKind = 'member' | 'patient' | 'system';

export const ACTOR_KINDS: readonly ActorKind[] = ['member', 'patient', 'system'];

/**
 * The verified identity of a request. `practiceId` is the tenant: always the
 * token's, never a path or body value a caller could forge.
 */
export interface Caller {
  actor: ActorKind;
  /** Member id, patient id, or system client id (the token's `sub`). */
  id: string;
  practiceId: string;
  /**
   * The token's OAuth `scope` values (RFC 8693 §4.2: space-separated), when it
   * carries any; absent otherwise. Only `gm:operator` means anything (ADR 0019).
   */
  scopes?: readonly string[];
  /**
   * The OAuth client the token was issued to (RFC 9068 `client_id`), when it
   * names one: which app a patient used (PHR web, mobile, a branded app).
   */
  clientId?: string;
}

/** The scope of platform operators' system clients (ADR 0019): rebuilds and other platform-wide operations. */
export const OPERATOR_SCOPE = 'gm:operator';

/** Longest `scope` claim a token may carry, and most values in it. */
export const MAX_SCOPE_LENGTH = 1024;
export const MAX_SCOPES = 32;

/** A system client holding the operator scope, and on OPERATOR_CLIENT_IDS when that list is set. */
export const isOperator = (caller: Caller, allowedClientIds?: readonly string[]): boolean =>
  caller.actor === 'system' &&
  (caller.scopes ?? []).includes(OPERATOR_SCOPE) &&
  (allowedClientIds === undefined || allowedClientIds.includes(caller.id));

/** Longest `sub` / `practiceId` a token may carry. */
export const MAX_IDENTIFIER_LENGTH = 128;

export const isActorKind = (value: unknown): value is ActorKind =>
  typeof value === 'string' && (ACTOR_KINDS as readonly string[]).includes(value);

export const isIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_IDENTIFIER_LENGTH;
