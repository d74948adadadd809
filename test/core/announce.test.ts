import { describe, expect, it } from 'vitest';
import { Accounting } from '../../src/accounting/accounting.js';
import { Announce } from '../../src/core/announce.js';
import { MeterExtras } from '../../src/core/extras.js';
import { Meters } from '../../src/core/meters.js';
import { Outbox } from '../../src/core/outbox.js';
import { emptyState } from '../../src/core/persisted.js';

const topics = { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' };
const origin = { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' };
const reading = { key: 'active_energy_import', obis: '1-1:1.8.0.255', quantity: 'energy' as const, value: 5, unit: 'kWh' };

function setup(state = emptyState()) {
  const out = new Outbox();
  const meters = new Meters(state);
  const announce = new Announce(topics, origin, meters, new Accounting('UTC', 60_000), new MeterExtras(topics, 'UTC', 60_000, null, null, out), out);
  return { out, meters, announce };
}

describe('what Home Assistant is told', () => {
  it('announces a meter\'s discovery once, its state with every frame, and availability only when it changes', () => {
    const s = setup();
    const m = s.meters.getOrMake('57000001')!;
    m.record({ meterId: m.id, meterTime: null, list: 'l', manufacturer: 'Kamstrup', model: null, readings: [reading], unitRule: null, frameCounter: null }, 1000, null, null);
    s.announce.meter(m, false, 1000);
    s.announce.meter(m, false, 2000);
    const topicsOut = s.out.take().map((e) => (e.kind === 'publish' ? e.topic : e.kind));
    expect(topicsOut.filter((t) => t.endsWith('/config'))).toEqual(['homeassistant/device/powermeter_57000001/config']);
    expect(topicsOut.filter((t) => t.endsWith('/state'))).toHaveLength(2);
    s.announce.online(m, true);
    expect(s.out.take()).toEqual([{ kind: 'availability', topic: 'powermeter/57000001/availability', online: true }]);
  });

  it('clears what an earlier run retained under another base topic, on every announce, and says it once', () => {
    const state = { ...emptyState(), meters: { '57000001': { totals: {}, periods: {} } } };
    const s = setup(state);
    s.announce.findStaleTopics({ discoveryPrefix: 'homeassistant', baseTopic: 'han' });
    s.announce.all();
    s.announce.all();
    const cleared = s.out.take().flatMap((e) => (e.kind === 'publish' && e.payload === null ? [e.topic] : []));
    expect(cleared.sort()).toEqual(['han/57000001/availability', 'han/57000001/availability', 'han/availability', 'han/availability', 'homeassistant/device/han_bridge/config', 'homeassistant/device/han_bridge/config']);
  });

  it('stops with every meter, then the service, offline', () => {
    const s = setup();
    const m = s.meters.getOrMake('a')!;
    m.online = true;
    s.announce.offline();
    expect(s.out.take()).toEqual([
      { kind: 'availability', topic: 'powermeter/a/availability', online: false },
      { kind: 'availability', topic: 'powermeter/availability', online: false },
    ]);
  });
});
