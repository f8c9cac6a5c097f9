export * from './directory-entities.js';
export * from './directory-replica.js';
export * from './directory-replica.module.js';
export * from './directory-subscription.js';
