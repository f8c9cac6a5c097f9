export * from './request-origin.js';
export * from './access-recorded-event.js';
export * from './access-records-outbox.js';
export * from './thread-read-recorder.js';
