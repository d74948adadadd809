import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeId, type Topics } from '../src/ha/discovery.js';
import { PRICE_UNIT, priceAttributes, priceAttributesTopic, priceAvailabilityTopic, priceAvailable, priceDiscovery, priceDiscoveryTopic, priceKeys, priceState, priceStateTopic } from '../src/ha/prices.js';
import { parseDayAheadAnswer, parsePricelistAnswer, type TariffRecord } from '../src/prices/answers.js';
import { chargeOwnerById, energinet } from '../src/prices/charge-owners.data.js';
import { danishInstant } from '../src/prices/danish-time.js';
import { buildPriceTable, type PriceTable } from '../src/prices/price-model.js';
import type { PriceSettings } from '../src/prices/settings.js';
import { origin } from '../src/base/version.js';
import { discoveryProblems, templateProblems } from './support/ha.js';
import { root } from './support/addon.js';

const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/prices', name), 'utf8');
const at = (danishLocal: string): number => danishInstant(danishLocal)!;
const topics: Topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
const settings: PriceSettings = { area: 'DK1', gridCompany: 'radius', supplierMarkup: 0.1, vatPercent: 25, exportMarkup: 0 };

function records(name: string, expect: Parameters<typeof parsePricelistAnswer>[1]): TariffRecord[] {
  const p = parsePricelistAnswer(fixture(name), expect);
  if (!p.ok) throw new Error(p.problem);
  return p.value;
}

function table(spotFile: string, now: number): PriceTable {
  const spot = parseDayAheadAnswer(fixture(spotFile), 'DK1');
  if (!spot.ok) throw new Error(spot.problem);
  const radius = chargeOwnerById('radius')!;
  return buildPriceTable(now, { spot: spot.value, grid: records('pricelist-radius-built.json', { gln: radius.gln, codes: radius.chargeTypeCodes }), energinet: records('pricelist-energinet-built.json', { gln: energinet.gln, notes: Object.values(energinet.notes) }) }, settings);
}

type Components = Record<string, Record<string, unknown>>;

describe('the Electricity price device', () => {
  const config = priceDiscovery(topics, origin, 'DK1');
  const components = config.components as Components;

  it('is valid discovery, with the conventions of the meter devices', () => {
    expect(discoveryProblems(config)).toEqual([]);
    expect(priceDiscoveryTopic(topics, 'DK1')).toBe('homeassistant/device/powermeter_price_dk1/config');
    expect(config.device).toEqual({ identifiers: ['powermeter_price_dk1'], name: 'Electricity price DK1', manufacturer: 'Energi Data Service', model: 'Spot price, tariffs and taxes', via_device: bridgeId(topics) });
    expect(config.origin).toBe(origin);
    expect(config.availability).toEqual([{ topic: 'powermeter/availability' }, { topic: 'powermeter/price_dk1/availability' }]);
    expect(Object.keys(components)).toEqual([...priceKeys]);
    expect(new Set(Object.values(components).map((c) => c.unique_id)).size).toBe(priceKeys.length);
    expect(components.price_spot).toMatchObject({ unique_id: 'powermeter_price_dk1_price_spot', default_entity_id: 'sensor.powermeter_price_dk1_price_spot' });
    expect(priceDiscovery({ ...topics, partition: { index: 1, count: 2 } }, origin, 'DK2').device).toMatchObject({ identifiers: ['powermeter_price_dk2_p1'], name: 'Electricity price DK2' });
  });

  it('offers `price` as the Energy dashboard asks and core\'s Nord Pool does: DKK/kWh, measurement, no device class', () => {
    const price = components.price!;
    // energy/validate.py: a numeric state and a unit ending in /kWh; nothing else is checked.
    expect(String(price.unit_of_measurement).endsWith('/kWh')).toBe(true);
    expect(price).toMatchObject({ unit_of_measurement: 'DKK/kWh', state_class: 'measurement', suggested_display_precision: 2, enabled_by_default: true, json_attributes_topic: priceAttributesTopic(topics, 'DK1') });
    expect(price).not.toHaveProperty('device_class');
    for (const c of Object.values(components)) {
      expect(c.unit_of_measurement).toBe(PRICE_UNIT);
      expect(c).not.toHaveProperty('device_class');
    }
    // As Nord Pool's next_price, lowest_price and highest_price: no state class.
    for (const key of ['price_next', 'price_today_min', 'price_today_max']) expect(components[key], key).not.toHaveProperty('state_class');
    expect(Object.entries(components).filter(([, c]) => c.enabled_by_default === false).map(([k]) => k)).toEqual(['price_electricity_tax']);
  });

  it('publishes state and attributes every template renders, the current price equal to the hand computation', () => {
    const now = at('2025-11-05T17:35');
    const t = table('dayahead-dk1-2025-11-05-and-06.json', now);
    const state = priceState(t, now);
    // (0.981391977 + 0.9174 + 0.051 + 0.074 + 0.72 + 0.1) × 1.25 = 3.55473997125 (prices-model.test.ts)
    expect(state.price).toBe(3.55474);
    expect(state).toMatchObject({ price_spot: 0.98139, price_grid_tariff: 0.9174, price_system_tariff: 0.051, price_transmission_tariff: 0.074, price_electricity_tax: 0.72, price_export: 0.98139 });
    // 17:45–18:00: spot 0.89409577 (16:45Z), the same hour's tariff: 2.75649577 × 1.25 = 3.4456197125.
    expect(state.price_next).toBe(3.44562);
    expect(state.price_today_min! <= state.price_today_mean! && state.price_today_mean! <= state.price_today_max!).toBe(true);
    // The dearest quarter: the highest spot price within the 17–21 peak tariff, 0.989083598 at 16:15Z.
    expect(state.price_today_max_at).toEqual({ start: '2025-11-05T17:15:00+01:00', end: '2025-11-05T17:30:00+01:00' });
    expect(state.price_today_max).toBe(Number(((0.989083598 + 0.9174 + 0.051 + 0.074 + 0.72 + 0.1) * 1.25).toFixed(5)));
    const attributes = priceAttributes(t);
    expect(attributes).toMatchObject({ start: '2025-11-05T00:00:00+01:00', resolution_minutes: 15 });
    expect(attributes.today).toHaveLength(96);
    expect(attributes.tomorrow).toHaveLength(96);
    expect(attributes.today[70]).toBe(3.5547);
    const messages = [
      { topic: priceStateTopic(topics, 'DK1'), payload: JSON.stringify(state) },
      { topic: priceAttributesTopic(topics, 'DK1'), payload: JSON.stringify(attributes) },
    ];
    expect(templateProblems([priceDiscovery(topics, origin, 'DK1')], messages)).toEqual([]);
  });

  it('keeps the attributes under 4 KB even for two 100-quarter days of the longest numbers', () => {
    const autumn = table('dayahead-dk1-2025-10-26-autumn.json', at('2025-10-26T12:00'));
    expect(priceAttributes(autumn).today).toHaveLength(100);
    const worst: PriceTable = { ...autumn, today: { ...autumn.today, quarters: autumn.today.quarters.map((q) => ({ ...q, total: -12.34567 })) } };
    const twoDays: PriceTable = { ...worst, tomorrow: worst.today };
    const bytes = Buffer.byteLength(JSON.stringify(priceAttributes(twoDays)));
    expect(bytes).toBeGreaterThan(1500);
    expect(bytes).toBeLessThan(4096);
  });

  it('is available exactly while a total price covers now, and says null, never a guess, for what the data lacks', () => {
    const t = table('dayahead-dk1-2025-11-05.json', at('2025-11-05T12:00'));
    expect(priceAvailable(t, at('2025-11-05T23:59'))).toBe(true);
    expect(priceAvailable(t, at('2025-11-06T00:00'))).toBe(false); // tomorrow not published
    expect(priceAvailable(null, at('2025-11-05T12:00'))).toBe(false);
    expect(priceAvailabilityTopic(topics, 'DK1')).toBe('powermeter/price_dk1/availability');
    const state = priceState(t, at('2025-11-06T00:05'));
    expect(Object.keys(state).sort()).toEqual([...priceKeys, 'price_today_max_at', 'price_today_min_at'].sort());
    expect(state.price).toBeNull();
    expect(state.price_next).toBeNull();
    expect(priceAttributes(t).tomorrow).toBeNull();
  });
});
