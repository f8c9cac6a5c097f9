export * from './caller.js';
export * from './errors.js';
export * from './auth-config.js';
export * from './token-verifier.js';
export * from './mint-token.js';
export * from './decorators.js';
export * from './caller.guard.js';
export * from './auth.module.js';
