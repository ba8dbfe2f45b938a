export { name } from '../../apiserver/src/index.mjs';
