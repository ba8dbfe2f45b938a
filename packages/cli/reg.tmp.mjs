import { register } from 'node:module'; register('./hooks.tmp.mjs', import.meta.url);
