import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../base/validators.js';
import { danishInstant } from './danish-time.js';
import type { PriceArea } from './settings.js';

/**
 * Energi Data Service's answers, checked before anything is taken from them: an answer that is not the expected shape
 * is a problem to report, and never replaces prices already held. Shapes as recorded answers show them:
 *
 * `DayAheadPrices` (christianhelle/edsclient `src/EnergiDataService.Client.Tests/EnergiDataServiceClientTests.cs` @
 * d8a20f8): `{total, filters, limit, dataset, records: [{TimeUTC, TimeDK, PriceArea, DayAheadPriceEUR, DayAheadPriceDKK}]}`,
 * times without a zone suffix, prices in DKK/MWh excl. VAT. The DKK price may be null (openHAB's
 * `DayAheadPriceRecord.java` marks it `@Nullable` and skips such rows): such a quarter has no price yet.
 *
 * `DatahubPricelist` (openhab/openhab-addons `…/internal/DatahubPricelistN1.json` @ df69f50 and
 * `DatahubPricelistElectricityTax.json` @ ca5241a): `{total, filters, limit, dataset, records: [{ChargeOwner,
 * GLN_Number, ChargeType, ChargeTypeCode, Note, Description, ValidFrom, ValidTo, VATClass, Price1 … Price24,
 * TransparentInvoicing, TaxIndicator, ResolutionDuration}]}`; with `columns` the service leaves the others out, so only
 * `ValidFrom`, `ValidTo`, `ChargeTypeCode` and `Price1` are required. `PriceN` is DKK/kWh excl. VAT for Danish local
 * hour N−1; null means "as Price1" (openHAB `DatahubPricelistRecord.java` `requireNonNullElse(priceN, price1)`;
 * MTrab `get_dated_tariff`). `ValidTo` null is open-ended; `ValidTo` itself is not covered (both read it so).
 */

/** One quarter's spot price as the service gave it. */
export interface SpotPrice {
  /** The quarter's start, from `TimeUTC`. */
  readonly start: number;
  /** DKK/MWh excl. VAT; null where the service has no DKK price yet. */
  readonly dkkPerMWh: number | null;
}

/** One price list record, reduced to what the price model reads. */
export interface TariffRecord {
  readonly code: string;
  /** `Note` (Energinet's charges are told apart by it); null when the answer left the column out. */
  readonly note: string | null;
  /** Danish local time `YYYY-MM-DDTHH:MM:SS`, as the service writes it. */
  readonly validFrom: string;
  readonly validTo: string | null;
  /** DKK/kWh excl. VAT for each local hour 0–23, nulls already read as Price1. */
  readonly prices: readonly number[];
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z?$';
const nullableNumber = { type: ['number', 'null'] } as const;

interface SpotAnswer {
  dataset?: string;
  records: { TimeUTC: string; PriceArea: string; DayAheadPriceDKK: number | null }[];
}

interface PricelistAnswer {
  dataset?: string;
  records: ({ ChargeTypeCode: string; ValidFrom: string; ValidTo: string | null; Price1: number; Note?: string | null; GLN_Number?: string | null } & Record<string, unknown>)[];
}

/** An Energi Data Service answer: `{dataset, records: [...]}`, its records of the given shape, bounded. */
const answerSchema = (items: object) => ({
  type: 'object',
  required: ['records'],
  properties: { dataset: { type: 'string' }, records: { type: 'array', maxItems: 10_000, items } },
});

const spotSchema = answerSchema({
  type: 'object',
  required: ['TimeUTC', 'PriceArea', 'DayAheadPriceDKK'],
  properties: { TimeUTC: { type: 'string', pattern: TIME }, PriceArea: { type: 'string' }, DayAheadPriceDKK: nullableNumber },
});

const priceProperties: Record<string, unknown> = {};
for (let n = 2; n <= 24; n++) priceProperties[`Price${n}`] = nullableNumber;

const pricelistSchema = answerSchema({
  type: 'object',
  required: ['ChargeTypeCode', 'ValidFrom', 'ValidTo', 'Price1'],
  properties: {
    ChargeTypeCode: { type: 'string' },
    ValidFrom: { type: 'string', pattern: TIME },
    ValidTo: { anyOf: [{ type: 'string', pattern: TIME }, { type: 'null' }] },
    Price1: { type: 'number' },
    Note: { type: ['string', 'null'] },
    GLN_Number: { type: ['string', 'null'] },
    ...priceProperties,
  },
});

/**
 * The checks are compiled on first use, not when the module loads: the service loads it whether or not prices are
 * asked for, and ajv's compile costs tens of ms under the add-on's --jitless (issue #30: 7 compiles at start-up were
 * 350–490 ms of a 0.6–0.75 s import).
 */
let checks: { readonly spot: ValidateFunction<SpotAnswer>; readonly pricelist: ValidateFunction<PricelistAnswer> } | null = null;
function compiled(): NonNullable<typeof checks> {
  if (checks) return checks;
  const ajv = newAjv({ allErrors: false });
  return (checks = { spot: ajv.compile<SpotAnswer>(spotSchema), pricelist: ajv.compile<PricelistAnswer>(pricelistSchema) });
}

const describe = (errors: ErrorObject[] | null | undefined): string => {
  const e = errors?.[0];
  return e ? `${e.instancePath || 'the answer'} ${e.message ?? 'is not as expected'}` : 'it is not as expected';
};

function json(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: `the answer is not JSON (${(error as Error).message})` };
  }
}

/** `TimeUTC` carries no zone: it is UTC. */
const utc = (text: string): number => Date.parse(text.endsWith('Z') ? text : `${text}Z`);

export function parseDayAheadAnswer(text: string, area: PriceArea): Parsed<SpotPrice[]> {
  const parsed = json(text);
  if (!parsed.ok) return parsed;
  const answer = parsed.value;
  const validateSpot = compiled().spot;
  if (!validateSpot(answer)) return { ok: false, problem: `the DayAheadPrices answer is not of the expected shape: ${describe(validateSpot.errors)}` };
  if (answer.dataset !== undefined && answer.dataset !== 'DayAheadPrices') return { ok: false, problem: `the answer is for dataset "${answer.dataset}", not DayAheadPrices` };
  const seen = new Set<number>();
  const out: SpotPrice[] = [];
  for (const r of answer.records) {
    if (r.PriceArea !== area) return { ok: false, problem: `the answer holds prices for ${r.PriceArea}, not ${area}` };
    const start = utc(r.TimeUTC);
    if (Number.isNaN(start)) return { ok: false, problem: `TimeUTC "${r.TimeUTC}" is not a time` };
    if (start % (15 * 60_000) !== 0) return { ok: false, problem: `TimeUTC "${r.TimeUTC}" does not start a quarter hour` };
    if (seen.has(start)) return { ok: false, problem: `TimeUTC "${r.TimeUTC}" comes twice` };
    seen.add(start);
    out.push({ start, dkkPerMWh: r.DayAheadPriceDKK });
  }
  return { ok: true, value: out.sort((a, b) => a.start - b.start) };
}

/** What a price list answer must be about: the GLN asked for, and the codes or notes asked for. */
export interface PricelistExpectation {
  readonly gln: string;
  readonly codes?: readonly string[];
  readonly notes?: readonly string[];
}

/** `2026-01-01T00:00` and `2026-01-01T00:00:00.000` as `2026-01-01T00:00:00`. */
const localText = (text: string): string => (text.length === 16 ? `${text}:00` : text.slice(0, 19));

export function parsePricelistAnswer(text: string, expect: PricelistExpectation): Parsed<TariffRecord[]> {
  const parsed = json(text);
  if (!parsed.ok) return parsed;
  const answer = parsed.value;
  const validatePricelist = compiled().pricelist;
  if (!validatePricelist(answer)) return { ok: false, problem: `the DatahubPricelist answer is not of the expected shape: ${describe(validatePricelist.errors)}` };
  if (answer.dataset !== undefined && answer.dataset !== 'DatahubPricelist') return { ok: false, problem: `the answer is for dataset "${answer.dataset}", not DatahubPricelist` };
  const out: TariffRecord[] = [];
  for (const r of answer.records) {
    if (r.GLN_Number != null && r.GLN_Number !== expect.gln) return { ok: false, problem: `the answer holds charges of GLN ${r.GLN_Number}, not ${expect.gln}` };
    if (expect.codes && !expect.codes.includes(r.ChargeTypeCode)) return { ok: false, problem: `the answer holds ChargeTypeCode "${r.ChargeTypeCode}", which was not asked for (${expect.codes.join(', ')})` };
    const note = r.Note ?? null;
    if (expect.notes && (note === null || !expect.notes.includes(note))) return { ok: false, problem: `the answer holds a charge with Note ${JSON.stringify(note)}, which was not asked for (${expect.notes.join(', ')})` };
    const validFrom = localText(r.ValidFrom.replace(/Z$/, ''));
    const validTo = r.ValidTo === null ? null : localText(r.ValidTo.replace(/Z$/, ''));
    if (danishInstant(validFrom) === null || (validTo !== null && danishInstant(validTo) === null)) return { ok: false, problem: `ValidFrom/ValidTo "${r.ValidFrom}"/"${r.ValidTo}" is not a time` };
    const prices: number[] = [r.Price1];
    for (let n = 2; n <= 24; n++) {
      const p = r[`Price${n}`];
      prices.push(typeof p === 'number' ? p : r.Price1);
    }
    out.push({ code: r.ChargeTypeCode, note, validFrom, validTo, prices });
  }
  return { ok: true, value: out };
}
