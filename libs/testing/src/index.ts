export * from './wait-for.js';
export * from './test-infrastructure.js';
export * from './service-app.js';
export * from './service-conventions.js';
export * from './directory-feed.js';
export * from './events-on-topic.js';
export * from './visibility-cases.js';
