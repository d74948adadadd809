import { chargeOwnerById, chargeOwnerIds, type ChargeOwner } from './charge-owners.data.js';

/** The two Danish bidding zones: DK1 west of the Great Belt, DK2 east. */
export const priceAreas = ['DK1', 'DK2'] as const;
export type PriceArea = (typeof priceAreas)[number];

/** What the price layer needs from the options (the shell maps `price_area`, `grid_company`, … onto it). */
export interface PriceSettings {
  area: PriceArea;
  /** An id of `chargeOwners`, or null for no grid tariff in the total (a user who adds it elsewhere). */
  gridCompany: string | null;
  /** The electricity supplier's markup, DKK/kWh excl. VAT, added before VAT. */
  supplierMarkup: number;
  /** VAT in percent (25 in Denmark), applied to the whole consumption price. */
  vatPercent: number;
  /** DKK/kWh added to the spot price for what exported energy earns (negative for a fee); no VAT. */
  exportMarkup: number;
}

/** A settings problem, said in words that name the valid choices. */
export interface PriceSettingsError {
  readonly field: keyof PriceSettings;
  readonly message: string;
}

export type CheckedSettings = { readonly ok: true; readonly settings: PriceSettings; readonly owner: ChargeOwner | null } | { readonly ok: false; readonly errors: readonly PriceSettingsError[] };

/** Checks settings against what the data knows: an unknown area or company is an error naming the valid ones. */
export function checkPriceSettings(settings: PriceSettings): CheckedSettings {
  const errors: PriceSettingsError[] = [];
  if (!(priceAreas as readonly string[]).includes(settings.area)) errors.push({ field: 'area', message: `price area "${settings.area}" is not one of ${priceAreas.join(', ')}` });
  const owner = settings.gridCompany === null ? null : chargeOwnerById(settings.gridCompany);
  if (settings.gridCompany !== null && owner === null) errors.push({ field: 'gridCompany', message: `grid company "${settings.gridCompany}" is not known; choose one of: none, ${chargeOwnerIds.join(', ')}` });
  for (const field of ['supplierMarkup', 'vatPercent', 'exportMarkup'] as const) {
    if (!Number.isFinite(settings[field])) errors.push({ field, message: `${field} must be a number` });
  }
  if (Number.isFinite(settings.vatPercent) && (settings.vatPercent < 0 || settings.vatPercent > 100)) errors.push({ field: 'vatPercent', message: `VAT of ${settings.vatPercent} % is outside 0–100 %` });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, settings, owner };
}
