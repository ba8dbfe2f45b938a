export { up, type UpOptions } from './up.js';
