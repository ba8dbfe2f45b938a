export * from './resources.js';
export * from './object.js';
export * from './schema.js';
export * from './quantity.js';
export * from './labels.js';
export * from './options.js';
