import type { Logger } from '../base/log.js';

/** At most one line per this long about refused connections: a flood at the door must not flood the log. */
export const REFUSALS_SAID_EVERY_MS = 60_000;

/**
 * The log of refused connections: the first is said at once, with its address; those that follow within a minute
 * are counted and said with the next one after it. 2 000 refusals in a second are one line, not 2 000.
 */
export class RefusalLog {
  private saidAt = -Infinity;
  private held = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly everyMs = REFUSALS_SAID_EVERY_MS,
  ) {}

  refused(address: string | undefined): void {
    const at = this.now();
    if (at - this.saidAt < this.everyMs) {
      this.held++;
      return;
    }
    const more = this.held > 0 ? `; ${this.held} more refused since the last line` : '';
    this.logger.warn(`page: refused a connection from ${address ?? 'an unknown address'} (only Home Assistant's ingress may connect)${more}`);
    this.saidAt = at;
    this.held = 0;
  }
}
