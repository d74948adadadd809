import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDayAheadAnswer, parsePricelistAnswer } from '../../src/prices/answers.js';
import { chargeOwnerById, energinet } from '../../src/prices/charge-owners.data.js';
import { buildPriceTable, type PriceTable } from '../../src/prices/price-model.js';
import type { PriceSettings } from '../../src/prices/settings.js';
import { root } from './addon.js';

/** The recorded answers of test/fixtures/prices (their provenance is in its README), as the fetcher would read them. */
const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/prices', name), 'utf8');

export const radiusSettings: PriceSettings = { area: 'DK1', gridCompany: 'radius', supplierMarkup: 0.1, vatPercent: 25, exportMarkup: -0.02 };

/** The table the fetcher builds at `now` from the 2025-11-05 DK1 answers and Radius's and Energinet's price lists. */
export function radiusTable(now: number, spotFile = 'dayahead-dk1-2025-11-05.json'): PriceTable {
  const spot = parseDayAheadAnswer(fixture(spotFile), 'DK1');
  const radius = chargeOwnerById('radius')!;
  const grid = parsePricelistAnswer(fixture('pricelist-radius-built.json'), { gln: radius.gln, codes: radius.chargeTypeCodes });
  const charges = parsePricelistAnswer(fixture('pricelist-energinet-built.json'), { gln: energinet.gln, notes: Object.values(energinet.notes) });
  if (!spot.ok || !grid.ok || !charges.ok) throw new Error('a price fixture does not parse');
  return buildPriceTable(now, { spot: spot.value, grid: grid.value, energinet: charges.value }, radiusSettings);
}
