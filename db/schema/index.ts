export * from './uploads.js';
export * from './batches.js';
export * from './sessions.js';
