import { Meter } from './meter.js';
import { MAX_METERS, type PersistedState } from './persisted.js';

/**
 * The meters, by meter id: the one place where each meter's last values live. Bounded by MAX_METERS, the number the
 * state file admits: a meter beyond it is refused (and said), never made.
 */
export class Meters {
  private readonly byId = new Map<string, Meter>();

  constructor(state: PersistedState) {
    for (const [id, m] of Object.entries(state.meters)) this.byId.set(id, new Meter(id, m));
  }

  get(id: string): Meter | undefined {
    return this.byId.get(id);
  }

  /** The meter of that id, made when it is first heard; null when there are as many as may be kept. */
  getOrMake(id: string): Meter | null {
    let meter = this.byId.get(id);
    if (meter) return meter;
    if (this.byId.size >= MAX_METERS) return null;
    this.byId.set(id, (meter = new Meter(id)));
    return meter;
  }

  get size(): number {
    return this.byId.size;
  }

  ids(): IterableIterator<string> {
    return this.byId.keys();
  }

  values(): IterableIterator<Meter> {
    return this.byId.values();
  }

  /** What survives a restart, as a copy: the meters' records are not shared with the state that is saved. */
  persisted(): PersistedState['meters'] {
    const out: PersistedState['meters'] = {};
    for (const [id, m] of this.byId) out[id] = structuredClone(m.persisted());
    return out;
  }
}
