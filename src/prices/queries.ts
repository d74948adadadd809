import { energinet, type ChargeOwner } from './charge-owners.data.js';
import { addDays, type DanishDate } from './danish-time.js';
import type { PriceArea } from './settings.js';

/**
 * The three questions PowerMeter asks Energi Data Service (https://api.energidataservice.dk, no key needed):
 *
 * - `DayAheadPrices` for one area, today and tomorrow. Rows are quarter hours keyed on `TimeUTC` (`TimeDK` repeats in
 *   the autumn hour). The window starts at 22:00 the day before and ends at the start of the day after tomorrow: the
 *   service reads `start`/`end` as Danish local time on the dataset's own time column, and if that column were UTC,
 *   22:00 UTC is still at or before Danish midnight, so either way both days are whole; the rows are then kept by their
 *   `TimeUTC`. The service answers 100 rows unless told (the `limit` its answers echo, e.g. christianhelle/edsclient's
 *   test answer), so the limit is set for two days of quarter hours with room (100 on the autumn day).
 * - `DatahubPricelist` for the grid company: its GLN, its tariff codes and ChargeType D03, newest first, 500 rows, as
 *   MTrab/energidataservice asks (tariffs/energidataservice/__init__.py @ 8584122, `async_get_tariffs`). No `start`:
 *   it filters on `ValidFrom`, which would drop an open-ended tariff that began years ago.
 * - `DatahubPricelist` for Energinet's own charges by `Note` (system tariff, transmission tariff, elafgift).
 */
export type PriceDataset = 'DayAheadPrices' | 'DatahubPricelist';
export type PriceSource = 'spot' | 'grid' | 'energinet';

export interface PriceQuery {
  readonly source: PriceSource;
  readonly dataset: PriceDataset;
  readonly url: string;
}

export const DEFAULT_PRICES_URL = 'https://api.energidataservice.dk';

/** `POWERMETER_PRICES_URL` as given, or the public service: the shell reads the variable, this only normalises it. */
export function pricesBaseUrl(fromEnvironment: string | undefined): string {
  const url = fromEnvironment?.trim() || DEFAULT_PRICES_URL;
  return url.replace(/\/+$/, '');
}

/** Query text with every value percent-encoded (a space as %20, as MTrab writes `sort=TimeUTC%20asc`). */
function url(baseUrl: string, dataset: PriceDataset, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${baseUrl.replace(/\/+$/, '')}/dataset/${dataset}?${query}`;
}

export const SPOT_ROW_LIMIT = 400;
export const PRICELIST_ROW_LIMIT = 500;

export function dayAheadPricesQuery(baseUrl: string, area: PriceArea, today: DanishDate): PriceQuery {
  return {
    source: 'spot',
    dataset: 'DayAheadPrices',
    url: url(baseUrl, 'DayAheadPrices', {
      start: `${addDays(today, -1)}T22:00`,
      end: addDays(today, 2),
      filter: JSON.stringify({ PriceArea: [area] }),
      sort: 'TimeUTC asc',
      columns: 'TimeUTC,TimeDK,PriceArea,DayAheadPriceDKK',
      limit: String(SPOT_ROW_LIMIT),
    }),
  };
}

export function gridTariffQuery(baseUrl: string, owner: ChargeOwner): PriceQuery {
  return {
    source: 'grid',
    dataset: 'DatahubPricelist',
    url: url(baseUrl, 'DatahubPricelist', {
      filter: JSON.stringify({ GLN_Number: [owner.gln], ChargeType: [owner.chargeType], ChargeTypeCode: owner.chargeTypeCodes }),
      sort: 'ValidFrom desc',
      limit: String(PRICELIST_ROW_LIMIT),
    }),
  };
}

export function energinetChargesQuery(baseUrl: string): PriceQuery {
  const { systemTariff, transmissionTariff, electricityTax } = energinet.notes;
  return {
    source: 'energinet',
    dataset: 'DatahubPricelist',
    url: url(baseUrl, 'DatahubPricelist', {
      filter: JSON.stringify({ GLN_Number: [energinet.gln], ChargeType: [energinet.chargeType], Note: [systemTariff, transmissionTariff, electricityTax] }),
      sort: 'ValidFrom desc',
      limit: String(PRICELIST_ROW_LIMIT),
    }),
  };
}
