export * from './wait-for.js';
export * from './test-infrastructure.js';
