export { name } from '../../node/src/index.mjs';
