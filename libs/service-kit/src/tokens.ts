/** Injection tokens of the infrastructure clients. */
export const INFRASTRUCTURE_CONFIG = Symbol('INFRASTRUCTURE_CONFIG');
export const KAFKA = Symbol('KAFKA');
export const REDIS = Symbol('REDIS');
export const PLUMBING_LOGGER = Symbol('PLUMBING_LOGGER');
export const DOCUMENT_LOCKS = Symbol('DOCUMENT_LOCKS');
