export * from './settings-replica.js';
export * from './settings-replica.module.js';
export * from './workflow-replica.js';
