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
 * The replay counters do not wait for the next save: each counter that moves is appended at once to a journal beside
 * the file (`accounting.json.counters`, a line `system-title counter keys` each), which `load` reads over the file's
 * counters and each save empties. A write of a short line into the page cache survives the process being killed; a
 * power loss may lose the last lines, which the next frames then overtake.
 */
export interface StoreIo {
  /** Between writing the temporary file and renaming it: tests simulate a crash here. */
  beforeRename?: () => void;
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

export class StateStore {
  readonly tmp: string;
  readonly journal: string;
  private journalFd: number | null = null;
  /** Bytes in the journal since the last save. */
  journalBytes = 0;
  /** Set when the file belongs to a newer PowerMeter: nothing is written then. */
  readOnly = false;

  constructor(
    readonly path: string,
    private readonly io: StoreIo = {},
  ) {
    this.tmp = `${path}.tmp`;
    this.journal = `${path}.counters`;
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

  /** Appends a moved counter to the journal (see above). Throws what the disk says. */
  counter(systemTitle: string, counter: number, keys: string): void {
    if (this.readOnly) return;
    if (this.journalFd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.journalFd = openSync(this.journal, 'a', 0o600);
    }
    const line = `${systemTitle} ${counter} ${keys}\n`;
    writeSync(this.journalFd, line);
    this.journalBytes += line.length;
  }

  close(): void {
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
    // The saved file holds every counter now: the journal starts afresh (truncated in place, the descriptor kept).
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
