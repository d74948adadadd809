import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { emptyState, parseState, type PersistedState } from '../core/persisted.js';

/**
 * The service's state on disk (`/data/accounting.json` in the add-on, which survives restarts and upgrades and is
 * in Home Assistant's backups). Written atomically: the new state goes to a temporary file that is flushed to disk
 * and renamed over the old one. A crash or power loss leaves either the old file, or the old file and a complete new
 * one beside it; `load` takes the newest that is whole.
 *
 * A file that is not a valid state is never silently replaced: it is moved aside (`accounting.json.bad-<time>`) and
 * said. A file written by a newer PowerMeter is not touched at all: this version then keeps its state in memory.
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

export class StateStore {
  readonly tmp: string;
  /** Set when the file belongs to a newer PowerMeter: nothing is written then. */
  readOnly = false;

  constructor(
    readonly path: string,
    private readonly io: StoreIo = {},
  ) {
    this.tmp = `${path}.tmp`;
  }

  load(now: number = Date.now()): Loaded {
    const problems: StoreProblem[] = [];
    const candidates: PersistedState[] = [];
    for (const file of [this.path, this.tmp]) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
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
    return { state: candidates[0] ?? emptyState(), problems };
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
