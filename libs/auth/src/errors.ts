export type AuthenticationFailure = 'unauthenticated' | 'token-expired' | 'token-invalid';

const DETAILS: Record<AuthenticationFailure, string> = {
  unauthenticated: 'A bearer token is required.',
  'token-expired': 'The bearer token has expired.',
  'token-invalid': 'The bearer token is not valid.',
};

/**
 * The caller could not be authenticated. Says expired or invalid, never why
 * a token is invalid. Carries `kind`, so service-kit's problem mapping
 * renders it as a 401 wherever it escapes.
 */
export class AuthenticationFailed extends Error {
  readonly kind = 'unauthenticated' as const;

  constructor(readonly code: AuthenticationFailure) {
    super(DETAILS[code]);
    this.name = 'AuthenticationFailed';
  }
}

/**
 * The token could not be checked (the JWKS endpoint is unreachable or
 * answered nonsense): not the caller's fault, so not a 401 that would make a
 * client throw its token away. Rendered as 503.
 */
export class AuthenticationUnavailable extends Error {
  readonly code = 'authentication-unavailable';
  readonly kind = 'unavailable' as const;

  constructor(options?: { cause?: unknown }) {
    super('Tokens cannot be verified right now; try again shortly.', options);
    this.name = 'AuthenticationUnavailable';
  }
}
