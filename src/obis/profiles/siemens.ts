import type { Profile } from '../profile.js';
import { austrianSix, emptyPair, timeAndDate } from './austria.js';

/**
 * Siemens IM350 outside Vienna (Vienna's list is in wiener-netze.ts): lists that name their push object
 * (0-0:25.9.0) with the meter number, then the time, the date and A+, A−, R+, R−, P+, P− (austria.ts), encrypted
 * without authentication. Both from the samples of SHRDZM (Noschvie/shrdzm code/SHRDZMDevice/Device_IM350.cpp,
 * commit 4a01a560), which reads six values from byte 57 (the 11-value list) or 52 (Wels) of the plaintext, the
 * place of A+ in each:
 * - 11 values: the sample marked "IM350", which names no grid company; SHRDZM reads it in its branch for
 *   "AM550/IM350 Carinthia", and value for value, down to the two empty texts at its end, it is the list of
 *   Kärnten Netz's Iskra AM550 (iskra.ts).
 * - 9 values: the sample marked "Helmut (Wels)" (eww, Wels), without the two texts. Its two frames, 561 s apart,
 *   count 38 Wh more A+, 244 W on average, between the 146 W and 190 W of P+ they carry.
 */
export const siemensIm350: Profile = {
  id: 'siemens-im350',
  manufacturer: 'Siemens',
  match: [{ flag: 'SMS' }],
  lists: [
    { id: 'siemens-im350-11', name: 'Siemens IM350, 11 values (the Kärnten Netz list)', requires: ['0-*:25.9.0'], positions: [...timeAndDate, ...austrianSix, ...emptyPair] },
    { id: 'siemens-im350-wels', name: 'Siemens IM350, eww Wels, 9 values', requires: ['0-*:25.9.0'], positions: [...timeAndDate, ...austrianSix] },
  ],
  meterId: ['0-*:25.9.0'],
  energyWhPerUnit: 1,
  exponents: {},
  unitRule: 'Wh, varh and W, as the AMS reader and SHRDZM read these lists',
};
