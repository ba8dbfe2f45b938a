export { name } from '../../api/src/index.mjs';
