export { object } from '../../api/src/object.mjs';
