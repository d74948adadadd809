import { ServiceCore } from '../../src/core/core.js';
import type { CoreOptions } from '../../src/core/core-options.js';
import type { Effect, Event, SourceSpec } from '../../src/core/events.js';
import { emptyState, type PersistedState } from '../../src/core/persisted.js';
import type { Keys } from '../../src/dlms/cipher.js';
import { danishKeys } from './vectors.js';

export const tz = 'Europe/Copenhagen';
export const origin = { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' };

export interface HarnessOptions {
  keys?: Keys;
  start?: number;
  state?: PersistedState;
  persist?: boolean;
  redial?: boolean;
  dataTimeoutS?: number;
  startNotices?: CoreOptions['startNotices'];
  prices?: CoreOptions['prices'];
  capacity?: CoreOptions['capacity'];
  publishIntervalMs?: number;
}

/**
 * The service core with one clock (a plain number), fed events and keeping every effect: tests read as "given these
 * events, these effects". `advance` moves the clock a second at a time, with the shell's tick each second.
 */
export function harness(o: HarnessOptions = {}) {
  let now = o.start ?? Date.UTC(2026, 10, 23, 12);
  const source: SourceSpec = { id: 'm', name: 'manual', redial: o.redial ?? false, remoteLine: false, keys: o.keys ?? danishKeys, baudRate: 2400, parity: 'none', profile: 'auto' };
  const core = new ServiceCore({
    sources: [source],
    dataTimeoutMs: (o.dataTimeoutS ?? 30) * 1000,
    topics: { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' },
    origin,
    timeZone: tz,
    state: o.state ?? emptyState(),
    persist: o.persist ?? true,
    startNotices: o.startNotices,
    prices: o.prices ?? null,
    capacity: o.capacity ?? null,
    publishIntervalMs: o.publishIntervalMs,
  });
  const effects: Effect[] = [];
  const step = (e: Event): readonly Effect[] => {
    const out = core.step(e);
    effects.push(...out);
    return out;
  };
  const h = {
    core,
    effects,
    step,
    at: () => now,
    set: (t: number) => (now = t),
    /** Time passes: one tick per second, as the shell sends them. */
    advance(ms: number) {
      for (let left = ms; left > 0; left -= 1000) {
        now += Math.min(1000, left);
        step({ kind: 'tick', at: now });
      }
    },
    bytes: (chunk: Uint8Array) => step({ kind: 'bytes', source: 'm', chunk, at: now }),
    hour: () => step({ kind: 'hour', at: now }),
    source: (state: 'connecting' | 'connected' | 'disconnected', detail?: string) => step({ kind: 'source', source: 'm', state, detail, at: now }),
    broker: (state: 'connected' | 'down' | 'refused', detail?: string) => step({ kind: 'broker', state, detail, at: now }),
    haOnline: () => step({ kind: 'ha-online', at: now }),
    saved: (error: string | null) => step({ kind: 'saved', error, at: now }),
    stop: () => step({ kind: 'stop', at: now }),
    /** Every payload published on a topic, parsed. */
    published: (topic: string) =>
      effects.flatMap((e) => (e.kind === 'publish' && e.topic === topic ? [e.payload === null ? null : { ...e.payload }] : [])),
    last: (topic: string) => h.published(topic).at(-1),
    availability: (topic: string) => effects.flatMap((e) => (e.kind === 'availability' && e.topic === topic ? [e.online] : [])),
    /** The log lines the notices make: "LEVEL text". */
    notices: (match?: RegExp) =>
      effects.flatMap((e) => (e.kind === 'notice' ? [`${e.notice.level.toUpperCase()} ${e.notice.text}`] : [])).filter((l) => match === undefined || match.test(l)),
    persisted: () => effects.flatMap((e) => (e.kind === 'persist' ? [e.state] : [])),
  };
  step({ kind: 'start', at: now });
  return h;
}

export type Harness = ReturnType<typeof harness>;
