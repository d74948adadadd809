/** The state is saved at least this often; and soon after an energy period closes. */
export const PERSIST_EVERY_MS = 5 * 60_000;
/**
 * Saves are at most this often: at a full hour every meter closes its hour, and a fleet of a thousand meters must
 * not write the whole file a thousand times. A save asked for sooner waits for the gap (`dueAt`).
 */
export const SAVE_GAP_MS = 1000;

/**
 * When to save the state. It decides only when: the caller makes the snapshot (a copy) when `due` says so. The replay
 * counters do not wait for it: each moved counter is journalled (the `counter` effect; at once at a meter's pace).
 */
export class Persistence {
  private lastSaveAt: number;
  private pending = false;

  constructor(
    private readonly enabled: boolean,
    startedAt: number,
  ) {
    this.lastSaveAt = startedAt;
  }

  /** The service started: the regular saves count from now. */
  restart(at: number): void {
    this.lastSaveAt = at;
  }

  /** Something changed: `soon` (a period closed) saves within SAVE_GAP_MS, else with the next regular save. */
  changed(soon: boolean): void {
    if (this.enabled && soon) this.pending = true;
  }

  /** Whether to save now; `force` at the stop. */
  due(at: number, force = false): boolean {
    if (!this.enabled) return false;
    const regular = at - this.lastSaveAt >= PERSIST_EVERY_MS;
    const asked = this.pending && at - this.lastSaveAt >= SAVE_GAP_MS;
    if (!force && !regular && !asked) return false;
    this.pending = false;
    this.lastSaveAt = at;
    return true;
  }

  /** The next instant a save becomes due by time alone; Infinity without persistence. */
  dueAt(): number {
    if (!this.enabled) return Infinity;
    return this.lastSaveAt + (this.pending ? SAVE_GAP_MS : PERSIST_EVERY_MS);
  }
}
