import { obisAt as r, unusedText, type Position } from '../profile.js';

/**
 * What the Austrian lists that name their push object (0-0:25.9.0, paired with the meter number) share, whichever
 * the maker: the time and the date as two octet-strings, then A+, A− (Wh), R+, R− (varh), P+, P− (W). The AMS reader
 * reads every such list this way (UtilitechAS/amsreader-firmware src/decoder/src/IEC6205675.cpp, commit a88a0beb, the
 * Iskra branch that finds the meter id in 25.9.0: six values from the fifth), as does SHRDZM for the Siemens IM350
 * (Noschvie/shrdzm code/SHRDZMDevice/Device_IM350.cpp, commit 4a01a560, parse_message).
 */
export const timeAndDate: readonly Position[] = [
  unusedText('the time (4 bytes): the notification\'s own date-time is the meter\'s clock'),
  unusedText('the date (5 bytes), likewise'),
];

export const austrianSix: readonly Position[] = [r('1-*:1.8.0'), r('1-*:2.8.0'), r('1-*:3.8.0'), r('1-*:4.8.0'), r('1-*:1.7.0'), r('1-*:2.7.0')];

/** Two empty octet-strings that end the Kärnten Netz list (and the Siemens IM350 list of the same shape) in every capture. */
export const emptyPair: readonly Position[] = Array<Position>(2).fill(unusedText('empty in every capture; no source names it'));
