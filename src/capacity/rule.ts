/**
 * A capacity tariff as data: how a grid company turns a month of imported energy into the kW it bills. Every preset
 * names where its facts come from; `custom` lets a user describe a company no preset fits (settings.ts checks it).
 */

/**
 * How the month's windows become the billed kW.
 * - `mean-of-peaks`: the mean of the `peaks` highest windows (on different days when `distinctDays`).
 * - `maximum`: the single highest window (`peaks` must be 1).
 * - `mean-of-12-months`: the month's value is its highest window (or the mean of its `peaks` highest); the bill is the
 *   mean of the last 12 monthly values, each raised to `floorKw` first.
 */
export type Aggregation = 'mean-of-peaks' | 'maximum' | 'mean-of-12-months';
export const aggregations: readonly Aggregation[] = ['mean-of-peaks', 'maximum', 'mean-of-12-months'];

/** Windows that start in local hours [fromHour, toHour) (across midnight when fromHour > toHour) count at `weight`. */
export interface NightWeight {
  readonly fromHour: number;
  readonly toHour: number;
  /** 0 to 1: Ellevio counts its night hours at half (0.5). */
  readonly weight: number;
}

export interface CapacityRule {
  /** Fixed windows aligned to the local clock: :00–:15 … or whole hours. */
  readonly windowMinutes: 15 | 60;
  /** How many windows the month's value is the mean of (1 to 10). */
  readonly peaks: number;
  /** At most one window per local day among the peaks (the day's highest). */
  readonly distinctDays: boolean;
  readonly aggregation: Aggregation;
  /** kW that a month's value is never below (Flanders: 2.5); 0 for none. */
  readonly floorKw: number;
  readonly night: NightWeight | null;
  /** Local months (1–12) whose windows count; null for all. */
  readonly months: readonly number[] | null;
  /** ISO weekdays (1 = Monday … 7 = Sunday) whose windows count; null for all. */
  readonly weekdays: readonly number[] | null;
  /** Local hours (0–23) whose windows count, by the hour a window starts in; null for all. */
  readonly hours: readonly number[] | null;
}

export type PresetName = 'no-3-daily-max' | 'be-flanders' | 'se-ellevio' | 'se-max-hour';
export type CapacityTariff = 'none' | PresetName | 'custom';
export const capacityTariffs: readonly CapacityTariff[] = ['none', 'no-3-daily-max', 'be-flanders', 'se-ellevio', 'se-max-hour', 'custom'];

export interface Preset {
  readonly rule: CapacityRule;
  readonly description: string;
  /** Where each fact of the rule comes from: repository, path and commit, or the page or issue that states it. */
  readonly provenance: readonly string[];
}

const base = { floorKw: 0, night: null, months: null, weekdays: null, hours: null } as const;

export const presets: Readonly<Record<PresetName, Preset>> = {
  'no-3-daily-max': {
    rule: { ...base, windowMinutes: 60, peaks: 3, distinctDays: true, aggregation: 'mean-of-peaks' },
    description: 'Norway (kapasitetsledd): the mean of the three highest hourly imports of the month, each on a different day',
    provenance: [
      'kraftsystemet/fri-nettleie tariff.cue (#Fastledd metode TRE_DØGNMAX_MND) and docs/llm/llms.txt ("gjennomsnitt av de 3 høyeste timene i ulike døgn"), commit b9531c7c70bc0521fdd43104c3180a323849d645 (CC-BY-4.0)',
      'the same commit: 69 of its 74 company files under tariffer/ use TRE_DØGNMAX_MND (2 OV_TREFASE, 1 FEM_VEKTET_ÅR, 1 MND_MAX, 1 UKJENT)',
      'UtilitechAS/amsreader-firmware src/EnergyAccounting.cpp (updateMax, getMonthMax), commit a88a0beb9c57b33bf9417522a894958f300e45e3: one slot per day, the mean of the N largest',
    ],
  },
  'be-flanders': {
    rule: { ...base, windowMinutes: 15, peaks: 1, distinctDays: false, aggregation: 'mean-of-12-months', floorKw: 2.5 },
    description: 'Flanders (capaciteitstarief): the highest fixed quarter-hour import of each month; billed on the mean of the last 12 monthly peaks, each at least 2.5 kW',
    provenance: [
      "VREG's answer quoted in dsmrreader/dsmr-reader#1084: the mean of the 12 last monthly peaks, a monthly peak being the month's highest quarter-hour power",
      'serkri/SmartEVSE-3#215 (checked with VREG by e-mail): fixed windows 4:00–4:15, 4:15–4:30, never rolling; the sum of all phases; energy of the quarter × 4',
      'vreg.be/en/node/9574: only import peaks count, injection peaks do not',
      'the 2.5 kW floor applies to each monthly peak before the mean: nl.wikibooks.org Energietransitie/Capaciteitstarief (its table "Max kwartierpiek VREG" raises a 0.632 kW May to 2.500) and De Tijd (tijd.be, "Wat betekenen de nieuwe tarieven voor uw stroomfactuur": a second home is counted at 2.5 kW also in the months it stands empty)',
    ],
  },
  'se-ellevio': {
    rule: { ...base, windowMinutes: 60, peaks: 3, distinctDays: true, aggregation: 'mean-of-peaks', night: { fromHour: 22, toHour: 6, weight: 0.5 } },
    description: 'Sweden, Ellevio (effektavgift): the mean of the three highest hourly imports of the month on different days, hours 22–06 counted at half',
    provenance: [
      'jonasbkarlsson/ev_smart_charging#394 ("the mean value of the three days with the highest hourly consumptions … During 22:00-06:00 only half of the consumption is counted") and #332; perosb/power_max_tracker#9 (22:00–06:00 at half). Users\' descriptions: Ellevio\'s own terms were not at hand',
    ],
  },
  'se-max-hour': {
    rule: { ...base, windowMinutes: 60, peaks: 1, distinctDays: false, aggregation: 'maximum' },
    description: 'Sweden (effektavgift, many companies): the single highest hourly import of the month',
    provenance: ['UtilitechAS/amsreader-firmware#680 ("based on the highest average hourly consumption in a month"); companies that count only some months, weekdays or hours need `custom`'],
  },
};

/** The rule as one canonical text: the persisted peaks are kept only under the rule they were computed by. */
export function ruleKey(r: CapacityRule): string {
  return JSON.stringify([r.windowMinutes, r.peaks, r.distinctDays, r.aggregation, r.floorKw, r.night && [r.night.fromHour, r.night.toHour, r.night.weight], r.months, r.weekdays, r.hours]);
}

/** How many windows make a month's value: `maximum` is the mean of one. */
export const peakCount = (r: CapacityRule): number => (r.aggregation === 'maximum' ? 1 : r.peaks);
