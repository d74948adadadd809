import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { newAjv } from '../base/validators.js';
import type { SpotPrice, TariffRecord } from './answers.js';

/**
 * The last good answers, kept on disk (`prices.json` in the directory given: the add-on's state directory, which
 * survives restarts), so that a restart without network still has today's prices (AMS Reader users saw yesterday's
 * prices until a reboot, UtilitechAS/amsreader-firmware#674, and stale ones while the hub was down, #1252).
 *
 * Written atomically (a flushed temporary file renamed over the old one, then the directory flushed). Read with a size
 * bound. A file that is not a valid cache is moved aside (`prices.json.bad-<time>`) and said, never silently replaced;
 * the cache then starts empty. A cache is only a copy: losing it costs one fetch.
 */
export const CACHE_VERSION = 1;
export const MAX_CACHE_BYTES = 4 * 1024 * 1024;

export interface PriceCache {
  readonly version: typeof CACHE_VERSION;
  readonly savedAt: number;
  readonly spot: { readonly area: string; readonly fetchedAt: number; readonly prices: readonly SpotPrice[] } | null;
  readonly grid: { readonly owner: string; readonly gln: string; readonly codes: readonly string[]; readonly fetchedAt: number; readonly records: readonly TariffRecord[] } | null;
  readonly energinet: { readonly fetchedAt: number; readonly records: readonly TariffRecord[] } | null;
}

export const emptyCache = (): PriceCache => ({ version: CACHE_VERSION, savedAt: 0, spot: null, grid: null, energinet: null });

const LOCAL = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$';
const record = {
  type: 'object',
  required: ['code', 'note', 'validFrom', 'validTo', 'prices'],
  additionalProperties: false,
  properties: {
    code: { type: 'string' },
    note: { type: ['string', 'null'] },
    validFrom: { type: 'string', pattern: LOCAL },
    validTo: { anyOf: [{ type: 'string', pattern: LOCAL }, { type: 'null' }] },
    prices: { type: 'array', minItems: 24, maxItems: 24, items: { type: 'number' } },
  },
} as const;
const records = { type: 'array', maxItems: 10_000, items: record } as const;
const instant = { type: 'number', minimum: 0 } as const;

const cacheSchema = {
  type: 'object',
  required: ['version', 'savedAt', 'spot', 'grid', 'energinet'],
  properties: {
    version: { const: CACHE_VERSION },
    savedAt: instant,
    spot: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['area', 'fetchedAt', 'prices'],
          properties: {
            area: { type: 'string' },
            fetchedAt: instant,
            prices: {
              type: 'array',
              maxItems: 10_000,
              items: { type: 'object', required: ['start', 'dkkPerMWh'], additionalProperties: false, properties: { start: instant, dkkPerMWh: { type: ['number', 'null'] } } },
            },
          },
        },
      ],
    },
    grid: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['owner', 'gln', 'codes', 'fetchedAt', 'records'],
          properties: { owner: { type: 'string' }, gln: { type: 'string' }, codes: { type: 'array', items: { type: 'string' } }, fetchedAt: instant, records },
        },
      ],
    },
    energinet: { anyOf: [{ type: 'null' }, { type: 'object', required: ['fetchedAt', 'records'], properties: { fetchedAt: instant, records } }] },
  },
} as const;

/**
 * Compiled on first use, not when the module loads: the service loads it whether or not prices are asked for, and
 * ajv's compile costs tens of ms under the add-on's --jitless (issue #30, cold start).
 */
let compiled: ValidateFunction<PriceCache> | null = null;
const validator = (): ValidateFunction<PriceCache> => (compiled ??= newAjv().compile<PriceCache>(cacheSchema));

export type CacheProblem = { readonly kind: 'damaged'; readonly path: string; readonly aside: string | null; readonly problem: string } | { readonly kind: 'unreadable'; readonly path: string; readonly problem: string };

/** `20261201T140509Z`: a file-name-safe instant. */
const stamp = (at: number): string => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Reads at most `max + 1` bytes: more means too large, without reading a runaway file into memory. */
function readBounded(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > max) break;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export class PriceCacheFile {
  readonly path: string;
  readonly tmp: string;

  constructor(
    readonly directory: string,
    fileName = 'prices.json',
    private readonly maxBytes = MAX_CACHE_BYTES,
  ) {
    this.path = join(directory, fileName);
    this.tmp = `${this.path}.tmp`;
  }

  load(now: number): { readonly cache: PriceCache; readonly problem: CacheProblem | null } {
    let bytes: Buffer;
    try {
      bytes = readBounded(this.path, this.maxBytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { cache: emptyCache(), problem: null };
      return { cache: emptyCache(), problem: { kind: 'unreadable', path: this.path, problem: code ?? (error as Error).message } };
    }
    let problem: string | null = null;
    if (bytes.length > this.maxBytes) problem = `it is larger than ${this.maxBytes} bytes`;
    else {
      try {
        const value: unknown = JSON.parse(bytes.toString('utf8'));
        const validate = validator();
        if (validate(value)) return { cache: value, problem: null };
        problem = `it is not a price cache (${validate.errors?.[0]?.instancePath ?? ''} ${validate.errors?.[0]?.message ?? ''})`.replace(/\( /, '(');
      } catch (error) {
        problem = `it is not JSON (${(error as Error).message})`;
      }
    }
    const aside = `${this.path}.bad-${stamp(now)}`;
    try {
      renameSync(this.path, aside);
      return { cache: emptyCache(), problem: { kind: 'damaged', path: this.path, aside, problem } };
    } catch {
      return { cache: emptyCache(), problem: { kind: 'damaged', path: this.path, aside: null, problem } };
    }
  }

  /** Writes the cache atomically. Throws what the disk says (the caller logs it; the prices in memory stay). */
  save(cache: PriceCache): void {
    mkdirSync(this.directory, { recursive: true });
    const fd = openSync(this.tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(cache));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.tmp, this.path);
    try {
      const dir = openSync(this.directory, 'r');
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
