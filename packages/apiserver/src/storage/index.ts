export * from './store.js';
export * from './events.js';
export * from './keys.js';
export * from './offline.js';
