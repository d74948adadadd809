import type { en } from './en.data.js';

/** Every language has exactly the English keys: a missing or extra string is a compile error. */
export type Strings = typeof en;
