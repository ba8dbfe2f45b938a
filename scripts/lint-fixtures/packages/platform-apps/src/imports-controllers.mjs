export { name } from '../../controllers/src/index.mjs';
