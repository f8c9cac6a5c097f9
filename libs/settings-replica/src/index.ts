export * from './settings-replica.js';
export * from './settings-replica.module.js';
export * from './out-of-office-replica.js';
export * from './workflow-replica.js';
