import type { Profile } from '../profile.js';

/**
 * Sagemcom XT211 in the Czech Republic: a push whose values come with their COSEM attribute descriptors (see
 * `readAttributeList`) and without scalers. The list sends power in W and energy in Wh, as the values of the public
 * capture show (esphome-libs/dlms_parser tests/dumps/raw_sagecom_xt211_decoded.log: 1-0:1.8.0 4 913 794 Wh,
 * 1-0:1.7.0 1 956 W with 198 + 1 703 + 54 W per phase): a raw unit of 1 for both. The meter id is in 0-0:96.1.1.
 */
export const sagemcomXt211: Profile = {
  id: 'sagemcom-xt211',
  manufacturer: 'Sagemcom',
  match: [{ descriptors: true }],
  lists: [{ id: 'sagemcom-xt211-cz', name: 'Sagemcom XT211 (Czech Republic)', requires: ['1-*:1.8.0'] }],
  meterId: ['0-*:96.1.1', '0-*:96.1.0'],
  energyWhPerUnit: 1,
  exponents: {},
  unitRule: 'the standard units of their OBIS codes at scaler 0 (IEC 62056-61): W, var, Wh, varh',
  skipped: { '0-*:96.14.0': 'the name of the tariff in force ("T2"): the tariff registers 1.8.1 to 1.8.4 carry its energy' },
};
