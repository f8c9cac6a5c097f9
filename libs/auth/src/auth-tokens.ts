/** Injection token of the AuthConfig AuthModule was given (its own file: the guard and the module both need it). */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
