import { danishWallTime, type DanishDate } from './danish-time.js';

/**
 * When to ask again, decided from the Danish clock (pure: the instant comes in). The fetcher is woken every quarter
 * hour; this says what is due then:
 *
 * - spot prices: whenever today's are not all there (a failed fetch at start is retried each quarter hour), and from
 *   13:15 Danish time while tomorrow's are not all there. Nord Pool's day-ahead results are "normally published around
 *   13:00 CET" and the AMS Reader fetches tomorrow's at 13:15 (UtilitechAS/amsreader-firmware `PriceService.h`,
 *   `tomorrowFetchMinute = 15`); before that the service answers `records: []` for tomorrow.
 * - tariffs (the grid company's and Energinet's): once a Danish day, from 00:15, and again each quarter hour while the
 *   day's fetch has not succeeded. Price lists change at midnight at the earliest; a quarter hour's margin keeps the
 *   question away from the service's busiest minute.
 */
export const TOMORROW_FROM_MINUTE = 13 * 60 + 15;
export const TARIFFS_FROM_MINUTE = 15;

export interface DueInput {
  readonly now: number;
  /** Whether every quarter of today / tomorrow has a spot price. */
  readonly spotToday: boolean;
  readonly spotTomorrow: boolean;
  /** The Danish day of the last successful tariff fetch (all sources the settings need), null if none yet. */
  readonly tariffsFetchedOn: DanishDate | null;
}

export interface Due {
  readonly spot: boolean;
  readonly tariffs: boolean;
}

export function due(input: DueInput): Due {
  const wall = danishWallTime(input.now);
  const minute = wall.hour * 60 + wall.minute;
  return {
    spot: !input.spotToday || (!input.spotTomorrow && minute >= TOMORROW_FROM_MINUTE),
    tariffs: input.tariffsFetchedOn !== wall.date && (minute >= TARIFFS_FROM_MINUTE || input.tariffsFetchedOn === null),
  };
}

/** node-cron 3 expression for every quarter hour, at second 0 (six fields: node-cron reads the first as seconds). */
export const EVERY_QUARTER_HOUR = '0 */15 * * * *';
