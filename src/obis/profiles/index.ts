import type { Profile } from '../profile.js';
import { kamstrup } from './kamstrup.js';

/** Every meter family PowerMeter knows, tried in order. */
export const profiles: readonly Profile[] = [kamstrup];
