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
}

/** Longest `sub` / `practiceId` a token may carry. */
export const MAX_IDENTIFIER_LENGTH = 128;

export const isActorKind = (value: unknown): value is ActorKind =>
  typeof value === 'string' && (ACTOR_KINDS as readonly string[]).includes(value);

export const isIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_IDENTIFIER_LENGTH;
