export * from './config.js';
export * from './problem.js';
export * from './validation.js';
export * from './logging.js';
export * from './tokens.js';
export * from './infrastructure.module.js';
export * from './bootstrap.js';
export * from './messaging.hosts.js';
