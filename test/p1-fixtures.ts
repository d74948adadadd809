import { readFileSync } from 'node:fs';
import { telegramCrc } from '../src/simulator/p1.js';

/** One assertion of a fixture's source, by the object's code as the telegram writes it (test/fixtures/p1/README.md). */
export interface SourceAssert {
  readonly obis: string;
  readonly value: unknown;
  readonly unit?: string | null;
  /** The entry of a list (0-0:98.1.0). */
  readonly index?: number;
  readonly datetime?: { instant?: string; wall?: string };
  readonly occurred?: { instant?: string; wall?: string };
  /** An M-Bus reading's capture time. */
  readonly captured?: { wall?: string | null };
}

export interface TelegramFixture {
  readonly id: string;
  readonly source: Record<string, string>;
  /** The telegram as the source's own test feeds it (latin1: a byte per character). */
  readonly telegram: string;
  /** Whether the source says its CRC holds; null when it has none. Absent: the source's test validates it. */
  readonly source_crc_valid?: boolean | null;
  readonly source_asserts: readonly SourceAssert[];
  readonly source_to_json?: Record<string, unknown>;
  readonly note?: string;
}

export interface EncryptedFixture {
  readonly id: string;
  readonly source: Record<string, string>;
  readonly hex: string;
  readonly keys: { encryption: string; authentication: string | null };
  /** The id of the telegram fixture it holds. */
  readonly plaintext: string;
}

export const telegrams: TelegramFixture[] = JSON.parse(readFileSync(new URL('./fixtures/p1/telegrams.json', import.meta.url), 'utf8')) as TelegramFixture[];
export const encrypted: EncryptedFixture[] = JSON.parse(readFileSync(new URL('./fixtures/p1/encrypted.json', import.meta.url), 'utf8')) as EncryptedFixture[];

export function telegram(id: string): TelegramFixture {
  const t = telegrams.find((x) => x.id === id);
  if (!t) throw new Error(`no P1 fixture ${id}`);
  return t;
}

export const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

/** The telegram up to and including its `!`. */
function body(text: string): string {
  const bang = text.indexOf('\n!');
  if (bang < 0) throw new Error('no "!" at a line start');
  return text.slice(0, bang + 2);
}

/**
 * The telegram with the CRC its bytes have, for the fixtures whose source keeps a CRC that no longer fits (copies that
 * lost the empty line after the header).
 */
export function resigned(text: string): string {
  const b = body(text);
  return `${b}${telegramCrc(b)}\r\n`;
}

/**
 * The telegram as it would come from a meter: resigned when its source's CRC does not hold; ended by a `!` without
 * CRC (DSMR 2.2) when the source's file stops after the last object.
 */
export function wire(t: TelegramFixture): string {
  if (!t.telegram.includes('\n!')) return `${t.telegram.replace(/(\r\n)?$/, '\r\n')}!\r\n`;
  if (t.source_crc_valid === false) return resigned(t.telegram);
  return t.telegram;
}

/** The time zone of the country a fixture's meter is in, for the instants its source asserts. */
export function zoneOf(t: TelegramFixture): string {
  if (/fluvius|emucs/.test(t.id)) return 'Europe/Brussels';
  if (/eon-hu/.test(t.id)) return 'Europe/Budapest';
  return 'Europe/Amsterdam';
}
