import { bridgeDiscovery, bridgeDiscoveryTopic, bridgePayload, bridgeStateTopic, type BridgeState } from '../ha/bridge.js';
import type { Origin, Topics } from '../ha/discovery.js';
import type { Outbox } from './outbox.js';
import type { SourceRecord } from './streams.js';

/** The diagnostics are published at least this often while anything in them moves (the counters, the time since). */
export const DIAGNOSTICS_EVERY_MS = 10_000;

/**
 * How often time alone publishes them: between the meter's frames the counters wait for the next frame, which
 * publishes them once DIAGNOSTICS_EVERY_MS has passed, so that no timer wakes the service between frames; on a silent
 * line only the time since the last frame moves, and it is published this often (and the problem sensor at once when
 * the data timeout passes). A wake-up for the 10-s cadence cost the idle service about 2 ms of CPU under the add-on's
 * flags, 0.2 ms a second of its 0.29 (npm run bench -- service, issue #30: idle means asleep).
 */
export const DIAGNOSTICS_QUIET_EVERY_MS = 60_000;

/** The fields whose change is published at once; the others (counters, the time since the last frame) wait for the cadence. */
export const significantFields = ['security', 'checksum_errors', 'authentication_failures', 'source_state', 'problem'] as const satisfies readonly (keyof BridgeState)[];

/**
 * The PowerMeter device: one diagnostics message for every source (the key check, the counters, the line), published
 * when something significant changes, with the next event once DIAGNOSTICS_EVERY_MS has passed for the counters, and
 * every DIAGNOSTICS_QUIET_EVERY_MS by time alone.
 */
export class Diagnostics {
  private publishedAt = -Infinity;

  constructor(
    private readonly topics: Topics,
    private readonly origin: Origin,
    private readonly configurationUrl: string | null,
    private readonly sources: readonly SourceRecord[],
    private readonly out: Outbox,
  ) {}

  discovery(): void {
    const sources = this.sources.map((s) => ({ suffix: s.suffix, name: s.spec.name }));
    this.out.publish(bridgeDiscoveryTopic(this.topics), bridgeDiscovery(this.topics, this.origin, this.configurationUrl, sources), true);
  }

  stateOf(source: SourceRecord, at: number): BridgeState {
    const last = source.line.lastGoodAt;
    return {
      security: source.security,
      frames_decoded: source.frames,
      checksum_errors: source.rejectedFor('checksum', 'closing-flag'),
      authentication_failures: source.rejectedFor('wrong-authentication-key', 'wrong-encryption-key'),
      seconds_since_last_frame: last === null ? null : Math.round((at - last) / 1000),
      source_state: source.state,
      // Frames that come but fail (a wrong key, a checksum) are data from the meter: the key check says what is wrong.
      problem: source.line.state(at) === 'ok' ? 'OFF' : 'ON',
    };
  }

  /** Publishes when `force`, when a significant field changed, or when the cadence is due. */
  publish(at: number, force: boolean): void {
    let due = force || at - this.publishedAt >= DIAGNOSTICS_EVERY_MS;
    const states = this.sources.map((source) => ({ source, suffix: source.suffix, state: this.stateOf(source, at) }));
    for (const { source, state } of states) {
      const last = source.published;
      due ||= last === null || significantFields.some((f) => last[f] !== state[f]);
    }
    if (!due) return;
    for (const { source, state } of states) source.published = state;
    this.publishedAt = at;
    this.out.publish(bridgeStateTopic(this.topics), bridgePayload(states), false);
  }

  /** The next publish time alone asks for (see DIAGNOSTICS_QUIET_EVERY_MS). */
  dueAt(): number {
    return this.publishedAt + DIAGNOSTICS_QUIET_EVERY_MS;
  }
}
