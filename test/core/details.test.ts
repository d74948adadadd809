import { describe, expect, it } from 'vitest';
import { MAX_STATE_LENGTH } from '../../src/ha/details.js';
import { harness } from '../support/core.js';
import { discoveryProblems, templateProblems } from '../support/ha.js';
import { bytesOf, resigned, telegram, wire } from '../p1-fixtures.js';
import { danish, bytesOf as vectorBytes } from '../support/vectors.js';

interface Config {
  components: Record<string, Record<string, unknown>>;
}

/** A P1 telegram through the whole core: what its meter's device becomes. */
function announce(text: string, at = Date.UTC(2017, 0, 2, 18, 20, 5)) {
  const h = harness({ start: at, keys: {} });
  h.broker('connected');
  h.bytes(bytesOf(text));
  const publishes = h.effects.flatMap((e) => (e.kind === 'publish' && e.payload !== null ? [{ topic: e.topic, payload: e.payload }] : []));
  const config = publishes.find((p) => p.topic.startsWith('homeassistant/device/powermeter_') && p.topic !== 'homeassistant/device/powermeter_bridge/config' && 'active_energy_import' in ((p.payload as unknown as Config).components ?? {}));
  const state = publishes.find((p) => p.topic.endsWith('/state') && p.topic !== 'powermeter/bridge/state');
  const messages = publishes.map((p) => ({ topic: p.topic, payload: JSON.stringify(p.payload) }));
  return { h, config: config?.payload as unknown as Config, state: state?.payload as Record<string, unknown>, messages, publishes };
}

describe("a P1 meter's details on its device", () => {
  it('DSMR 5: the tariff as an enum sensor, the counters as disabled diagnostic totals, the text message, the failure log as attributes', () => {
    const { config, state, messages, publishes } = announce(telegram('ndokter-v5').telegram);
    expect(discoveryProblems(config)).toEqual([]);
    expect(templateProblems([config], messages)).toEqual([]);
    const c = config.components;
    expect(c.tariff).toMatchObject({ device_class: 'enum', options: ['low', 'normal'], enabled_by_default: true });
    expect(c.tariff).not.toHaveProperty('entity_category');
    // Dutch meters: 2 is the normal tariff (HA dsmr translate_tariff).
    expect(state.tariff).toBe('normal');
    for (const key of ['power_failures', 'long_power_failures', 'voltage_sags_l1', 'voltage_sags_l2', 'voltage_sags_l3', 'voltage_swells_l1', 'voltage_swells_l2', 'voltage_swells_l3']) {
      expect(c[key], key).toMatchObject({ state_class: 'total_increasing', entity_category: 'diagnostic', enabled_by_default: false });
      expect(c[key], key).not.toHaveProperty('unit_of_measurement');
    }
    expect(state).toMatchObject({ power_failures: 13, long_power_failures: 0, voltage_sags_l1: 0 });
    expect(c.text_message).toMatchObject({ entity_category: 'diagnostic', enabled_by_default: true });
    expect(state.text_message).toBe('');
    expect(c.long_power_failures).toMatchObject({ json_attributes_topic: 'powermeter/k8eg004046395507/details' });
    expect(publishes.find((p) => p.topic === 'powermeter/k8eg004046395507/details')?.payload).toEqual({ long_power_failures: { failures: [] }, active_power_import_month_peak: {} });
  });

  it('DSMR 5 has no 1.8.0: the import and export totals are the tariff sums, enabled, and the tariffs enabled beside them', () => {
    const { config, state } = announce(telegram('ndokter-v5').telegram);
    const c = config.components;
    expect(state.active_energy_import).toBe(6.825); // 4.426 + 2.399
    expect(state.active_energy_export).toBe(2.444);
    for (const key of ['active_energy_import', 'active_energy_export', 'active_energy_import_tariff_1', 'active_energy_import_tariff_2', 'active_energy_export_tariff_1', 'active_energy_export_tariff_2', 'energy_import_hour', 'energy_import_day', 'energy_import_month']) {
      expect(c[key]?.enabled_by_default, key).toBe(true);
    }
    expect(c.active_energy_import).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
  });

  it('keeps the tariffs disabled on a meter whose tariffs do not make its total, and adds nothing to a DLMS meter', () => {
    // A Swedish-style telegram: 1.8.0 sent, and tariffs that are not its parts.
    const text = resigned(telegram('ndokter-v5-eon-hu').telegram.replace('1-0:1.8.0(000173.640*kWh)', '1-0:1.8.0(000999.000*kWh)').replace('1-0:2.8.0(000627.177*kWh)', '1-0:2.8.0(000999.000*kWh)'));
    const { config } = announce(text, Date.UTC(2023, 6, 24, 13, 7, 35));
    expect(config.components.active_energy_import_tariff_1?.enabled_by_default).toBe(false);
    const h = harness({ start: Date.UTC(2020, 0, 7, 12, 47, 20) });
    h.bytes(vectorBytes(danish));
    const dlms = h.last('homeassistant/device/powermeter_27581522/config') as unknown as Config;
    expect(Object.keys(dlms.components).filter((k) => /tariff|text_message|power_failures/.test(k))).toEqual([]);
    expect(h.published('powermeter/27581522/details')).toEqual([]);
  });

  it('E.ON Hungary and Luxembourg: frequency in Hz, apparent power in VA, the limiter and fuse thresholds as diagnostic settings', () => {
    const hu = announce(wire(telegram('ndokter-v5-eon-hu')), Date.UTC(2023, 6, 24, 13, 7, 35));
    expect(discoveryProblems(hu.config)).toEqual([]);
    expect(hu.config.components.frequency).toMatchObject({ device_class: 'frequency', unit_of_measurement: 'Hz', state_class: 'measurement', enabled_by_default: false });
    expect(hu.config.components.limiter_threshold).toMatchObject({ device_class: 'power', unit_of_measurement: 'W', entity_category: 'diagnostic' });
    expect(hu.config.components.limiter_threshold).not.toHaveProperty('state_class');
    expect(hu.config.components.fuse_threshold_l3).toMatchObject({ device_class: 'current', unit_of_measurement: 'A', entity_category: 'diagnostic' });
    expect(hu.state).toMatchObject({ frequency: 50, limiter_threshold: 90000, fuse_threshold_l3: 200, tariff: 'normal' });
    const lu = announce(wire(telegram('athombv-dsmr-luxembourgh-spec-example')), Date.UTC(2020, 6, 6, 8, 41, 57));
    expect(discoveryProblems(lu.config)).toEqual([]);
    expect(templateProblems([lu.config], lu.messages)).toEqual([]);
    expect(lu.config.components.apparent_power_import).toMatchObject({ device_class: 'apparent_power', unit_of_measurement: 'VA', state_class: 'measurement' });
    expect(lu.config.components.limiter_threshold).toMatchObject({ device_class: 'apparent_power', unit_of_measurement: 'VA', entity_category: 'diagnostic' });
    expect(lu.state).toMatchObject({ apparent_power_import: 21, limiter_threshold: 69000 });
  });

  it("cuts a text message to the 255 characters Home Assistant keeps in a state", () => {
    const long = 'Onderhoud aan het net op 3 januari. '.repeat(12);
    const text = resigned(telegram('ndokter-v5').telegram.replace('0-0:96.13.0()', `0-0:96.13.0(${Buffer.from(long, 'latin1').toString('hex').toUpperCase()})`));
    const { state } = announce(text);
    expect(long.length).toBeGreaterThan(MAX_STATE_LENGTH);
    expect(state.text_message).toBe(long.slice(0, MAX_STATE_LENGTH));
  });
});
