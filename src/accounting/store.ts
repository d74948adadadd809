import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { emptyState, type AccountingState } from './accounting.js';

/**
 * The accounting state on disk (`/data` in the add-on, which survives restarts and upgrades). Written
 * atomically: the new state goes to a temporary file that is flushed to disk and then renamed over the old
 * one. A crash or power loss leaves either the old file, or the old file and a complete new one beside it;
 * `load` takes the newest that is whole, so nothing is lost or half-written.
 */
export interface StoreIo {
  /** Between writing the temporary file and renaming it: tests simulate a crash here. */
  beforeRename?: () => void;
}

function isState(x: unknown): x is AccountingState {
  return typeof x === 'object' && x !== null && (x as AccountingState).version === 1 && typeof (x as AccountingState).savedAt === 'number' && typeof (x as AccountingState).meters === 'object';
}

function read(path: string): AccountingState | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return isState(parsed) ? parsed : null;
  } catch {
    return null; // missing, or a torn write of an older version: the other copy is used
  }
}

export class StateStore {
  readonly tmp: string;

  constructor(
    readonly path: string,
    private readonly io: StoreIo = {},
  ) {
    this.tmp = `${path}.tmp`;
  }

  load(): AccountingState {
    const candidates = [read(this.path), read(this.tmp)].filter((s): s is AccountingState => s !== null);
    candidates.sort((a, b) => b.savedAt - a.savedAt);
    return candidates[0] ?? emptyState();
  }

  save(state: AccountingState, now: number): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const data = JSON.stringify({ ...state, savedAt: now });
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
    state.savedAt = now;
  }
}
