/**
 * What the service tells the user, as a table: each notice has a level, the text that says what to do, how it
 * repeats, and the signals that end it. A notice is kept per scope (a source, a meter, a system title, or the
 * whole service), so that one meter's trouble never silences or resets another's, and nothing unrelated resets it:
 * a good frame ends "no data", and nothing else.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

/** What ends a notice. Each is raised by the core where it happens, with the scope it concerns. */
export type Signal =
  /** A good frame came from the source. */
  | 'frame-decoded'
  /** Bytes came from the source. */
  | 'bytes'
  /** The framer formed a frame from the source's bytes (good or not). */
  | 'frame-formed'
  /** The key check of a stream found its keys right. */
  | 'keys-ok'
  /** The host clock is past the time the energy periods stood at. */
  | 'clock-caught-up'
  /** A total price covers now again. */
  | 'price-known'
  /** The source's frames have passed their checksum for a while (see CHECKSUM_RECOVERED_AFTER in the core). */
  | 'checksums-pass'
  | 'source-up'
  | 'broker-up'
  | 'store-saved'
  /** The meter's energy totals are plausible again. */
  | 'energy-plausible'
  /** The system title's invocation counter moved forward. */
  | 'counter-advanced';

/**
 * How a notice repeats while it lasts: `once` (said when it starts, not again until it ends), `always` (every time),
 * or `hourly` (said when it starts, then at most once an hour a count of how often it happened since).
 */
export type Repeat = 'once' | 'always' | 'hourly';

interface NoticeSpec<Context> {
  readonly level: Level;
  readonly text: (c: Context) => string;
  readonly repeat: Repeat;
  readonly endedBy: readonly Signal[];
  /** Said when a signal ends the notice: only where the user would otherwise not know that it is over. */
  readonly ended?: { readonly level: Level; readonly text: string };
  /** For `hourly`: the summary of `n` more occurrences. */
  readonly more?: (n: number) => string;
  /** A level that depends on what is said (the key check's verdicts). */
  readonly levelOf?: (c: Context) => Level;
}

/** What each notice's text is made of. */
interface Contexts {
  'first-frame': { list: string | null; readings: number; meter: string };
  'broker-connected': Record<string, never>;
  'source-connected': Record<string, never>;
  'source-retry': { detail: string };
  'line-settings': { failed: number; decoded: number; baudRate: number; parity: string; bridge: boolean };
  'no-bytes': { seconds: number; everHeard: boolean; redial: boolean };
  'no-frames': { seconds: number; bytesPerSecond: number; baudRate: number; parity: string; bridge: boolean };
  'keys-failing': Record<string, never>;
  'unprotected-frame': { what: string; why: string; meter: string | null };
  'too-many-meters': { max: number; meter: string };
  'meter-clock-off': { meter: string; clock: string };
  'clock-back': { behind: string; until: string };
  'source-down': { detail: string };
  'broker-down': { detail: string };
  'broker-refused': { detail: string };
  'unsupported-list': { message: string };
  'implausible-energy': { what: string };
  'energy-level-accepted': { what: string; frames: number };
  replay: { counter: number; last: number };
  'store-failed': { detail: string };
  'store-bad': { path: string; aside: string | null; problem: string };
  'store-newer': { path: string; version: number };
  'time-zone': { zone: string; used: string };
  keys: { advice: string; level: Level };
  'topics-changed': { what: string; count: number };
  'meter-replaced': { meter: string; before: string };
  'upgrade-entities': Record<string, never>;
  'anonymous-frame': { list: string | null };
  'unit-rule': { meter: string; list: string | null; rule: string };
  'meter-without-key': { systemTitle: string; stream: string };
  rejected: { reason: string; message: string };
  'source-notice': { text: string };
  'too-many-streams': { max: number; source: string };
  'price-missing': { area: string; at: string };
  'capacity-afresh': { meter: string; why: string };
  'capacity-peak-differs': { meter: string; comparison: string };
}

export type NoticeId = keyof Contexts;

export const noticeTable: { readonly [K in NoticeId]: NoticeSpec<Contexts[K]> } = {
  'first-frame': {
    level: 'info',
    text: (c) => `first frame decoded: meter ${c.meter}, ${c.list ?? 'its list'}, ${c.readings} readings`,
    repeat: 'once',
    endedBy: [],
  },
  'broker-connected': {
    level: 'info',
    text: () => 'connected to the MQTT broker',
    repeat: 'once',
    endedBy: [],
  },
  'source-connected': {
    level: 'info',
    text: () => 'source connected',
    repeat: 'once',
    endedBy: [],
  },
  'source-retry': {
    level: 'debug',
    text: (c) => `source still unavailable: ${c.detail}`,
    repeat: 'always',
    endedBy: [],
  },
  'line-settings': {
    level: 'warn',
    text: (c) =>
      `${c.failed} frames failed their checksum and ${c.decoded} decoded: the line settings (now ${c.baudRate} baud, parity ${c.parity}${c.bridge ? ', as the bridge must read the meter' : ''}) are probably wrong, or the data wire is loose. Kamstrup sends 2400 baud 8N1 (parity none); Kaifa, Sagemcom and Landis+Gyr usually 2400 8E1 (parity even)`,
    repeat: 'hourly',
    endedBy: ['checksums-pass'],
    more: (n) => `${n} more frames failed their checksum in the last hour: check baud_rate, parity and the data wire`,
  },
  'no-bytes': {
    level: 'warn',
    text: (c) =>
      (c.everHeard
        ? `no bytes from the meter for ${c.seconds} s: its sensors are unavailable until frames come again. Check the cable or the bridge; if they are fine, the meter's HAN port may have stalled (a known Kamstrup problem): only a power cycle of the meter or a remote reset by the grid company brings it back`
        : `no bytes in the ${c.seconds} s since the start: check the cable or the bridge, the serial port, and that the grid company has opened the HAN port`) +
      (c.redial ? '. The bridge is dialled again every data_timeout meanwhile' : ''),
    repeat: 'once',
    endedBy: ['bytes'],
    ended: { level: 'info', text: 'bytes arrive again' },
  },
  'no-frames': {
    level: 'warn',
    text: (c) =>
      `bytes arrive (about ${c.bytesPerSecond} bytes/s) but no frame formed from them in ${c.seconds} s: the line settings (now ${c.baudRate} baud, parity ${c.parity}${c.bridge ? ', as the bridge must read the meter' : ''}) are probably wrong, or this is not the meter's HAN port. Kamstrup sends 2400 baud 8N1 (parity none); Kaifa, Sagemcom and Landis+Gyr usually 2400 8E1 (parity even); P1 meters 115200`,
    repeat: 'once',
    endedBy: ['frame-formed'],
    ended: { level: 'info', text: 'frames arrive again' },
  },
  'keys-failing': {
    // Said by the key check's own line first; this one only counts, once an hour, while the keys are wrong.
    level: 'warn',
    levelOf: () => 'debug',
    text: () => 'frames are refused by the key check',
    repeat: 'hourly',
    endedBy: ['keys-ok'],
    more: (n) => `${n} more frames could not be read with the keys in the last hour: check encryption_key (GPK60) and authentication_key (GPK61); the key check on PowerMeter's page tries keys at once`,
  },
  'unprotected-frame': {
    level: 'warn',
    text: (c) =>
      `${c.what}${c.meter ? ` (meter ${c.meter})` : ''} was refused: ${c.why}. Either someone sends forged frames to PowerMeter, or the meter's security was changed: if your grid company turned the encryption or authentication off, clear the keys in the options (further refusals are counted)`,
    repeat: 'hourly',
    endedBy: [],
    more: (n) => `${n} more frames less protected than the keys require were refused in the last hour`,
  },
  'too-many-meters': {
    level: 'error',
    text: (c) =>
      `meter ${c.meter} is not added: PowerMeter already keeps ${c.max} meters, the most one instance keeps. Share the meters among instances (partition_index and partition_count, docs/scaling.md); further frames of new meters are counted`,
    repeat: 'hourly',
    endedBy: [],
    more: (n) => `${n} more frames of meters beyond the most one instance keeps were refused in the last hour`,
  },
  'meter-clock-off': {
    level: 'warn',
    text: (c) =>
      `meter ${c.meter}'s clock says ${c.clock}, more than a day from this host's clock: it is shown as the meter sends it, but not used to judge its energy totals. Check Home Assistant's time and time zone; a meter's clock is set by the grid company`,
    repeat: 'once',
    endedBy: [],
  },
  'clock-back': {
    level: 'warn',
    text: (c) =>
      `the host clock went back by ${c.behind}: the energy periods stay where they were (until ${c.until}) and book what the meter counts meanwhile, so that nothing counted is lost. Check the time of the host (Settings → System → General)`,
    repeat: 'once',
    endedBy: ['clock-caught-up'],
    ended: { level: 'info', text: 'the host clock has caught up: the energy periods go on as usual' },
  },
  'source-down': {
    level: 'warn',
    text: (c) => `source unavailable: ${c.detail}; it retries by itself`,
    repeat: 'once',
    endedBy: ['source-up'],
    ended: { level: 'info', text: 'source connected again' },
  },
  'broker-down': {
    level: 'warn',
    text: (c) => `${c.detail}; retrying every 30 s at most. Frames go on being decoded, and the latest values are published when the broker is back`,
    repeat: 'once',
    endedBy: ['broker-up'],
    ended: { level: 'info', text: 'connected to the MQTT broker again' },
  },
  'broker-refused': {
    level: 'error',
    text: (c) => `${c.detail}; retrying every 30 s at most, so a fixed login is taken without a restart`,
    repeat: 'once',
    endedBy: ['broker-up'],
    ended: { level: 'info', text: 'connected to the MQTT broker again: the login is accepted now' },
  },
  'unsupported-list': {
    level: 'error',
    text: (c) => `${c.message}; further frames like it are counted`,
    repeat: 'hourly',
    endedBy: [],
    more: (n) => `${n} more frames of a list PowerMeter does not know in the last hour`,
  },
  'implausible-energy': {
    level: 'warn',
    text: (c) =>
      `frame held back: ${c.what}. Such a frame is not published, so that the Energy dashboard never books it; if the next frames confirm the new level it is taken as the meter's (further held frames are counted)`,
    repeat: 'hourly',
    endedBy: ['energy-plausible'],
    more: (n) => `${n} more frames held back in the last hour because an energy total was implausible`,
  },
  'energy-level-accepted': {
    level: 'warn',
    text: (c) =>
      `${c.what}, and ${c.frames} frames in a row agreed: taken as the meter's new level (a replaced or reset meter, or a changed energy_multiplier). If it was a reset, Home Assistant's statistics start a new cycle`,
    repeat: 'always',
    endedBy: [],
  },
  replay: {
    level: 'warn',
    text: (c) =>
      `replayed frame refused: its invocation counter ${c.counter} is not above the last accepted one, ${c.last}. Someone or something sent an old frame again (further replays are counted). If the grid company reset the HAN port and gave new keys, enter them: the counters start afresh with new keys`,
    repeat: 'hourly',
    endedBy: ['counter-advanced'],
    more: (n) => `${n} more replayed frames refused in the last hour`,
  },
  'store-failed': {
    level: 'error',
    text: (c) => `cannot save the energy periods: ${c.detail}; they are kept in memory and saved when it works again`,
    repeat: 'hourly',
    endedBy: ['store-saved'],
    ended: { level: 'info', text: 'the energy periods are saved again' },
    more: (n) => `${n} more attempts to save the energy periods failed in the last hour`,
  },
  'store-bad': {
    level: 'error',
    text: (c) =>
      c.aside
        ? `the state file ${c.path} is damaged (${c.problem}): it was kept as ${c.aside} and PowerMeter starts its energy periods afresh. Attach that file to a bug report if you did not edit it`
        : `the state file ${c.path} is damaged (${c.problem}) and could not be moved aside: PowerMeter keeps its energy periods in memory and does not overwrite the file`,
    repeat: 'once',
    endedBy: [],
  },
  'store-newer': {
    level: 'error',
    text: (c) =>
      `the state file ${c.path} was written by a newer PowerMeter (format ${c.version}): this version does not overwrite it and keeps the energy periods in memory only. Upgrade the add-on again to keep them`,
    repeat: 'once',
    endedBy: [],
  },
  'time-zone': {
    level: 'warn',
    text: (c) => `the time zone "${c.zone}" is not one this system knows: energy periods are kept in ${c.used}. Check Home Assistant's time zone (Settings → System → General)`,
    repeat: 'once',
    endedBy: [],
  },
  'topics-changed': {
    level: 'info',
    text: (c) => `${c.what} changed since the last run: the ${c.count} retained messages published under the old one are cleared, so that Home Assistant keeps no dead copy of the devices`,
    repeat: 'once',
    endedBy: [],
  },
  'meter-replaced': {
    level: 'info',
    text: (c) =>
      `meter ${c.meter} now sends where meter ${c.before} did: a new device. The old device is kept, with its history; once you no longer need it, remove it in Home Assistant (Settings → Devices & services → MQTT → devices → ${c.before} → ⋮ → Delete)`,
    repeat: 'always',
    endedBy: [],
  },
  'upgrade-entities': {
    level: 'info',
    text: () =>
      'this version no longer gives the "last hour", "yesterday" and "last month" sensors a state class, so that the Energy dashboard does not offer them: Home Assistant may offer to fix their old statistics under Developer tools → Statistics (accept it). Sensors it now creates disabled (reactive energy, power factors, per-phase values, the meter clock) stay enabled on this installation until you disable them',
    repeat: 'once',
    endedBy: [],
  },
  keys: {
    level: 'info',
    text: (c) => `key check: ${c.advice}`,
    levelOf: (c) => c.level,
    repeat: 'always',
    endedBy: [],
  },
  'meter-without-key': {
    level: 'error',
    text: (c) =>
      `the meter with system title ${c.systemTitle} (on ${c.stream}) encrypts its frames and no keys are set for it: add it to meter_keys with the encryption key (GPK60) and the authentication key (GPK61) its grid company gave. Its frames are counted until then`,
    // Said once per meter: a fleet with one meter missing must not fill the log every 10 s.
    repeat: 'once',
    endedBy: [],
  },
  'unit-rule': {
    level: 'info',
    text: (c) =>
      `meter ${c.meter}: ${c.list ?? 'its list'} sends values without their units; PowerMeter reads them by a rule, not a specification: ${c.rule}. If a value differs from the meter's display, report it with a capture (capture_minutes)`,
    // Said once per meter (the scope): the rule does not change while the meter sends the same list.
    repeat: 'once',
    endedBy: [],
  },
  'anonymous-frame': {
    level: 'debug',
    text: (c) => `frame of ${c.list ?? 'an unknown list'} does not name its meter; waiting for one that does`,
    repeat: 'always',
    endedBy: [],
  },
  'source-notice': {
    level: 'warn',
    text: (c) => c.text,
    // The source says each once.
    repeat: 'always',
    endedBy: [],
  },
  'too-many-streams': {
    level: 'warn',
    text: (c) =>
      `more than ${c.max} streams on ${c.source}: the longest silent ones are forgotten (a frame they had half sent is lost). Share the bridges among instances with partition_index and partition_count (docs/scaling.md)`,
    repeat: 'hourly',
    endedBy: [],
    more: (n) => `${n} more streams forgotten in the last hour because there were more than the most one source keeps`,
  },
  'price-missing': {
    level: 'warn',
    text: (c) =>
      `no electricity price for ${c.area} covers ${c.at}: the price sensors are unavailable until one does, and the cost of such a quarter is counted as a quarter without a price. The prices are fetched again every quarter hour; tomorrow's are published in the early afternoon`,
    repeat: 'once',
    endedBy: ['price-known'],
    ended: { level: 'info', text: 'an electricity price covers now again' },
  },
  'capacity-afresh': {
    level: 'warn',
    text: (c) => `meter ${c.meter}: the capacity tariff's saved peaks cannot be used (${c.why}); this month's peaks start afresh`,
    repeat: 'once',
    endedBy: [],
  },
  'capacity-peak-differs': {
    level: 'warn',
    // Said once per meter: the two stay apart for the rest of the month, and a log line a second helps nobody.
    text: (c) => `meter ${c.meter}: ${c.comparison}`,
    repeat: 'once',
    endedBy: [],
  },
  rejected: {
    level: 'debug',
    text: (c) => c.message,
    repeat: 'always',
    endedBy: [],
  },
};

export type ContextOf<K extends NoticeId> = Contexts[K];
const noticeIds = Object.keys(noticeTable).filter((k): k is NoticeId => k in noticeTable);


/** A notice to be written to the log. `scope` names what it concerns (a source, a meter), for the log line. */
export interface Notice {
  readonly id: NoticeId;
  readonly level: Level;
  readonly text: string;
  readonly scope: string | null;
}

interface Active {
  readonly id: NoticeId;
  readonly scope: string | null;
  /** Occurrences since it was last said (for `hourly`). */
  more: number;
}

/** The notices each signal ends, worked out once: a signal is raised with every frame. */
const endedBy = new Map<Signal, NoticeId[]>();
for (const id of noticeIds) {
  for (const signal of noticeTable[id].endedBy) endedBy.set(signal, [...(endedBy.get(signal) ?? []), id]);
}

/** Which notices are active, per scope; decides what is said. Pure: the caller writes what it returns. */
export class NoticeBoard {
  private readonly active = new Map<string, Active>();
  /**
   * How many scopes each active notice is active in: a signal, raised several times with every frame, looks here
   * before it builds a key for each notice it may end (some notices stay active for good, so the board is rarely quiet).
   */
  private readonly scopes = new Map<NoticeId, number>();

  /** The notice `id` happened in `scope`: returns what to say now, or null. */
  say<K extends NoticeId>(id: K, scope: string | null, context: ContextOf<K>): Notice | null {
    const s = noticeTable[id];
    const key = `${id}\u0000${scope ?? ''}`;
    const known = this.active.get(key);
    if (s.repeat !== 'always' && known) {
      known.more++;
      return null;
    }
    if (s.repeat !== 'always') {
      this.active.set(key, { id, scope, more: 0 });
      this.scopes.set(id, (this.scopes.get(id) ?? 0) + 1);
    }
    return { id, level: s.levelOf?.(context) ?? s.level, text: s.text(context), scope };
  }

  /** No notice is active: nothing for a signal to end. */
  get quiet(): boolean {
    return this.active.size === 0;
  }

  /** Whether `id` is active in `scope`. */
  isActive(id: NoticeId, scope: string | null): boolean {
    return this.active.has(`${id}\u0000${scope ?? ''}`);
  }

  /** A signal in `scope`: ends the notices it ends there, and adds to `out` what is said of their end. */
  signal(signal: Signal, scope: string | null, out: Notice[]): void {
    if (this.active.size === 0) return;
    const ids = endedBy.get(signal);
    if (ids === undefined) return;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const n = this.scopes.get(id);
      if (n === undefined || !this.active.delete(`${id}\u0000${scope ?? ''}`)) continue;
      if (n > 1) this.scopes.set(id, n - 1);
      else this.scopes.delete(id);
      const ended = noticeTable[id].ended;
      if (ended) out.push({ id, level: ended.level, text: ended.text, scope });
    }
  }

  /** Once an hour: how often each `hourly` notice happened since it was last said. */
  hourly(): Notice[] {
    const out: Notice[] = [];
    for (const a of this.active.values()) {
      const { level, repeat, more } = noticeTable[a.id];
      if (a.more === 0 || repeat !== 'hourly' || !more) continue;
      out.push({ id: a.id, level, text: more(a.more), scope: a.scope });
      a.more = 0;
    }
    return out;
  }
}
