export * from './settings-replica.js';
export * from './settings-replica.module.js';
