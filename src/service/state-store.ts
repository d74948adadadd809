import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { emptyState, MAX_STATE_BYTES, parseState, type PersistedState } from '../core/persisted.js';

/**
 * The service's state on disk (`/data/accounting.json` in the add-on, which survives restarts and upgrades and is
 * in Home Assistant's backups). Written atomically: the new state goes to a temporary file that is flushed to disk
 * and renamed over the old one. A crash or power loss leaves either the old file, or the old file and a complete new
 * one beside it; `load` takes the newest that is whole.
 *
 * A file that is not a valid state is never silently replaced: it is moved aside (`accounting.json.bad-<time>`) and
 * said. A file written by a newer PowerMeter is not touched at all: this version then keeps its state in memory.
 * A file is read with a bound (MAX_STATE_BYTES), and only a regular one: a link to a device that never ends is damaged.
 *
 * The replay counters do not wait for the next save: a counter that moves is appended to a journal beside the file
 * (`accounting.json.counters`, a line `system-title counter keys` each), which `load` reads over the file's counters
 * and each save empties. A write of a short line into the page cache survives the process being killed; a power loss
 * may lose the last lines, which the next frames then overtake.
 *
 * At a meter's pace (a frame every second or slower: 10 s for Kamstrup, 2.5 s for Aidon) each counter is written at
 * once. Counters that move faster (a bridge's backlog, a fleet of meters on one broker) are written at most once per
 * JOURNAL_GAP_MS, the last of each system title, and at the latest when the process ends (`close`, or the `exit` that
 * an uncaught error emits too): a write costs a frame more than all the rest of its way through the service does
 * (issue #30; docs/scaling.md), and a fleet's hundred counters a second need one write, not a hundred. What a kill
 * (SIGKILL, the out-of-memory killer) may cost is a frame of that last second being taken once more if it is sent
 * again: as a power loss may already, and never a frame older than that second.
 */
export interface StoreIo {
  /** Between writing the temporary file and renaming it: tests simulate a crash here. */
  beforeRename?: () => void;
  /** The clock that spaces the journal's writes (JOURNAL_GAP_MS): monotonic, performance.now by default. */
  now?: () => number;
  /** A journal write that failed after `counter` had returned (a deferred one): what the disk said. */
  journalFailed?: (error: unknown) => void;
}

export type StoreProblem =
  | { readonly kind: 'bad'; readonly path: string; readonly aside: string | null; readonly problem: string }
  | { readonly kind: 'newer'; readonly path: string; readonly version: number };

export interface Loaded {
  readonly state: PersistedState;
  readonly problems: readonly StoreProblem[];
}

/** `20261201T140509Z`: a file-name-safe instant. */
const stamp = (at: number): string => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** The journal is emptied by every save; past this size a save is asked for early (a fleet moves many counters). */
export const JOURNAL_SAVE_BYTES = 1024 * 1024;

/** Counters moving faster than this are journalled this often (see above). */
export const JOURNAL_GAP_MS = 1000;

/** Stores with counters not yet written: written when the process ends, however it ends but a kill. */
const unwritten = new Set<StateStore>();
let exitHooked = false;
function writeAtExit(store: StateStore): void {
  unwritten.add(store);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const s of unwritten) s.flushQuietly();
  });
}

export class StateStore {
  readonly tmp: string;
  readonly journal: string;
  private journalFd: number | null = null;
  /** Bytes in the journal since the last save. */
  journalBytes = 0;
  /** The journal's next lines: the last counter of each system title since the last write. */
  private readonly pending = new Map<string, string>();
  private writtenAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** Set when the file belongs to a newer PowerMeter: nothing is written then. */
  readOnly = false;

  constructor(
    readonly path: string,
    private readonly io: StoreIo = {},
  ) {
    this.tmp = `${path}.tmp`;
    this.journal = `${path}.counters`;
    this.now = io.now ?? (() => performance.now());
  }

  load(now: number = Date.now()): Loaded {
    const problems: StoreProblem[] = [];
    const candidates: PersistedState[] = [];
    for (const file of [this.path, this.tmp]) {
      let text: string;
      try {
        text = readBounded(file, MAX_STATE_BYTES);
      } catch (error) {
        if (error instanceof TooLarge) {
          if (file === this.path) problems.push({ kind: 'bad', path: file, aside: this.moveAside(now), problem: error.message });
          continue;
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        // Unreadable (permissions, an I/O error): never overwrite what could not even be read.
        if (file === this.path) {
          this.readOnly = true;
          problems.push({ kind: 'bad', path: file, aside: null, problem: `it cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
        }
        continue;
      }
      const parsed = parseState(text);
      if (parsed.kind === 'ok') candidates.push(parsed.state);
      else if (parsed.kind === 'newer') {
        this.readOnly = true;
        problems.push({ kind: 'newer', path: file, version: parsed.version });
      } else if (file === this.path) {
        // The temporary file is ours and torn by design after a crash: only the real file is worth keeping.
        problems.push({ kind: 'bad', path: file, aside: this.moveAside(now), problem: parsed.problem });
      }
    }
    if (problems.some((p) => p.kind === 'bad' && p.aside === null)) this.readOnly = true;
    candidates.sort((a, b) => b.savedAt - a.savedAt);
    const state = candidates[0] ?? emptyState();
    this.readJournal(state);
    return { state, problems };
  }

  /** The counters journalled since the last save, over the state's: a later line of the same keys wins. */
  private readJournal(state: PersistedState): void {
    let text: string;
    try {
      text = readBounded(this.journal, 4 * JOURNAL_SAVE_BYTES);
    } catch {
      return; // none (the usual case after a clean stop), or unreadable: the state's own counters stand
    }
    for (const line of text.split('\n')) {
      const m = /^([0-9A-F]{16}) (\d{1,10}) ([0-9a-f]{0,64})$/.exec(line);
      if (!m) continue; // a torn last line after a crash
      const [, title = '', counter = '', keys = ''] = m;
      const n = Number(counter);
      const known = state.counters[title];
      if (n <= 0xffffffff && (known === undefined || known.keys !== keys || n > known.counter)) state.counters[title] = { counter: n, keys };
    }
  }

  /**
   * Journals a moved counter (see above): at once when the last write is JOURNAL_GAP_MS old, else at that gap. Throws
   * what the disk says when it writes at once; a deferred write's failure goes to `journalFailed`.
   */
  counter(systemTitle: string, counter: number, keys: string): void {
    if (this.readOnly) return;
    this.pending.set(systemTitle, `${systemTitle} ${counter} ${keys}\n`);
    // A write is due already: it takes this counter too (no clock read for the frames between two writes).
    if (this.timer !== null) return;
    // Never longer than the gap, whatever a clock a test gives does.
    const wait = Math.min(JOURNAL_GAP_MS, this.writtenAt + JOURNAL_GAP_MS - this.now());
    if (wait <= 0) this.flush();
    else {
      writeAtExit(this);
      this.timer = setTimeout(this.deferred, wait);
      this.timer.unref();
    }
  }

  private readonly deferred = (): void => {
    this.timer = null;
    try {
      this.flush();
    } catch (error) {
      this.io.journalFailed?.(error);
    }
  };

  /** Writes the counters not yet written, in one write. Throws what the disk says; they are then kept for the next. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    if (this.journalFd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.journalFd = openSync(this.journal, 'a', 0o600);
    }
    let lines = '';
    this.pending.forEach((line) => (lines += line));
    this.writtenAt = this.now();
    try {
      writeSync(this.journalFd, lines);
    } catch (error) {
      writeAtExit(this); // kept for the next write, the last one at the process's end
      throw error;
    }
    this.nothingWaits();
    this.journalBytes += lines.length;
  }

  /** No counter waits to be journalled: none pending, no timer for them, none to write at the process's end. */
  private nothingWaits(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    unwritten.delete(this);
  }

  /** At the process's end: what can still be written is; nothing is left to say it to. */
  flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // the disk refused: the counters of the last second are lost, as after a kill
    }
  }

  /**
   * Writes what is pending, as it can, and closes the journal. Quietly: the service's stop saves the state, which holds
   * every counter, just before, and a stop must go on to say `offline` (a disk that refuses both was said).
   */
  close(): void {
    this.flushQuietly();
    unwritten.delete(this);
    if (this.journalFd !== null) closeSync(this.journalFd);
    this.journalFd = null;
  }

  private moveAside(now: number): string | null {
    const aside = `${this.path}.bad-${stamp(now)}`;
    try {
      renameSync(this.path, aside);
      return aside;
    } catch {
      return null;
    }
  }

  /** Writes the state; the text is built here, synchronously, from the live objects. Throws what the disk says. */
  save(state: PersistedState): void {
    if (this.readOnly) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const data = JSON.stringify(state);
    const fd = openSync(this.tmp, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.io.beforeRename?.();
    renameSync(this.tmp, this.path);
    // The saved file holds every counter now (those not yet journalled too: the state was copied after they moved):
    // the journal starts afresh (truncated in place, the descriptor kept).
    this.nothingWaits();
    if (this.journalFd !== null) ftruncateSync(this.journalFd, 0);
    else {
      try {
        truncateSync(this.journal, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    this.journalBytes = 0;
    // The rename itself must reach the disk too.
    try {
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // some file systems cannot fsync a directory; the rename is then as durable as they make it
    }
  }
}

class TooLarge extends Error {}

/**
 * A file's text, read with a bound: a regular file only (not a device or a pipe, whose end may never come), and at
 * most `limit` bytes. Throws TooLarge past either, and what the file system says otherwise.
 */
function readBounded(path: string, limit: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new TooLarge('it is not a regular file (a link to a device?)');
    if (stat.size > limit) throw new TooLarge(`it is ${stat.size} bytes, more than the ${limit} a state file may be`);
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, limit) + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buffer.length; n += r) r = readSync(fd, buffer, n, buffer.length - n, null);
    if (n > limit) throw new TooLarge(`it grew past the ${limit} bytes a state file may be while it was read`);
    return buffer.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
