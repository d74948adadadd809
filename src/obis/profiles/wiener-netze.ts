import { obisAt as r, type Position, type Profile } from '../profile.js';

/** The eight values every Wiener Netze list ends with: A+, A− (Wh), R+, R− (varh), P+, P− (W), Q+, Q− (var). */
const eight: readonly Position[] = [r('1-*:1.8.0'), r('1-*:2.8.0'), r('1-*:3.8.0'), r('1-*:4.8.0'), r('1-*:1.7.0'), r('1-*:2.7.0'), r('1-*:3.7.0'), r('1-*:4.7.0')];
const clock: Position = { role: 'clock' };

/**
 * Wiener Netze (Vienna) fixes one list for the infrared customer interface of its meters, whoever made them,
 * encrypted without authentication: the clock, then A+, A−, R+, R−, P+, P−, Q+, Q−, each a double-long-unsigned;
 * the Siemens IM350 and IM150 send their logical device name ("SMS…") first. The order and the units are those of
 * bernikr/esphome-wienernetze-smartmeter (components/wienernetze/wienernetze.cpp, commit 7eb3fe1f), which reads the
 * last eight values of every Wiener Netze meter so, and of Tasmota's Wiener Netze script from the grid company's
 * description (tasmota/docs docs/Smart-Meter-Interface.md, commit 9849ab94, "Iskra AM550"). Checked on the captures
 * of rddl-network/EnergyAgent (smart_meter_tests/legacy.py, commit 050e6e2c; in test/fixtures/): the IM350's
 * logical device name is the one its key is filed under, and energy and power agree in direction (R− and Q− above
 * zero, R+ and Q+ at zero; A+ with P+).
 */
export const wienerNetze: Profile = {
  id: 'wiener-netze',
  manufacturer: null,
  match: [{ flag: 'SMS' }, { flag: 'ISK' }, { flag: 'LGZ' }],
  lists: [
    { id: 'wiener-netze-10', name: 'Wiener Netze, 10 values (Siemens IM350, IM150)', positions: [{ role: 'meter-id' }, clock, ...eight] },
    { id: 'wiener-netze-9', name: 'Wiener Netze, 9 values (Iskra AM550, Landis+Gyr E450)', positions: [clock, ...eight] },
  ],
  meterId: [],
  energyWhPerUnit: 1,
  exponents: {},
  unitRule: "Wh, varh, W and var, as the Wiener Netze readers read this list (bernikr/esphome-wienernetze-smartmeter, Tasmota's Wiener Netze script)",
};
