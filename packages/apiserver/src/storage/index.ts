export * from './types.js';
export * from './memory.js';
export * from './cached.js';
export * from './store.js';
export * from './events.js';
export * from './keys.js';
export * from './offline.js';
export * from './etcd-store.js';
