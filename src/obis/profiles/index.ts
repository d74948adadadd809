import type { Profile } from '../profile.js';
import { aidon } from './aidon.js';
import { dlmsScaled } from './generic.js';
import { iskraCroatia, iskraKelag, iskraSlovenia } from './iskra.js';
import { kaifaMa309, kaifaNordic, kaifaSweden } from './kaifa.js';
import { kamstrup } from './kamstrup.js';
import { landisGyrAustria, landisGyrPairs, landisGyrSwiss } from './landis-gyr.js';
import { sagemcomXt211 } from './sagemcom.js';
import { siemensIm350 } from './siemens.js';
import { wienerNetze } from './wiener-netze.js';

/** Every meter family PowerMeter knows, tried in order; the generic one last. */
export const profiles: readonly Profile[] = [kamstrup, aidon, kaifaNordic, kaifaSweden, kaifaMa309, landisGyrAustria, landisGyrSwiss, landisGyrPairs, iskraSlovenia, iskraCroatia, iskraKelag, wienerNetze, siemensIm350, sagemcomXt211, dlmsScaled];

export const profileIds = profiles.map((p) => p.id);
