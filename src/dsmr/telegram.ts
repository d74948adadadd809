import { Obis } from '../dlms/obis.js';
import type { Skipped } from '../obis/readings.js';

/**
 * The syntax of a P1 text telegram (DSMR 4.0 §6.2; IEC 62056-21 data sets), nothing of what it means:
 *
 *     /ISk5\2MT382-1000                       header: "/", three letters of the maker, the meter's ident
 *
 *     1-0:1.8.1(000004.426*kWh)               A-B:C.D.E, then value groups "(value*unit)"
 *     1-0:1.6.0(200509134558S)(02.589*kW)     several groups
 *     0-1:24.3.0(161107190000)(00)(60)(1)(0-1:24.2.1)(m3)
 *     (00001.001)                             a line of groups alone continues the object before (DSMR 2.2 gas)
 *     1-0:1.8.0*255(00052185.7825309*kWh)     F written after "*" (EasyMeter Q3D)
 *     !6EEE
 *
 * A line that cannot be read is skipped with its reason; the rest of the telegram is read.
 */
export interface TelegramObject {
  /** Shared with every other telegram that names the same code (see `Obis.at`). */
  readonly obis: Obis;
  /** The text between each pair of parentheses, as sent. */
  readonly values: string[];
}

export interface Telegram {
  /** The three letters after "/" (IEC 62056-21 manufacturer id; DSMR asks for the FLAG id). */
  readonly maker: string;
  /** The header line after the maker and the baud rate character: the meter's identification. */
  readonly ident: string;
  readonly objects: readonly TelegramObject[];
  readonly skipped: Skipped[];
}

/**
 * Far more objects than any meter sends (a DSMR 5 telegram with four M-Bus channels has about 60): the rest of a
 * telegram that has more is skipped, so that a stream of garbage cannot make a frame of unbounded size.
 */
export const MAX_OBJECTS = 512;
/** The part of an unreadable line that a skip reason quotes. */
const QUOTE = 40;

const CR = 0x0d;
const OPEN = 0x28;
const BANG = 0x21;

/** The six parts of the code being read, for Obis.at. */
const code = new Uint8Array(6);

/**
 * Reads `A-B:C.D.E` with an optional `.F` or `*F` from `text[start, end)` into `code`. False when it is not one
 * (a part above 255 included).
 */
function readCode(text: string, start: number, end: number): boolean {
  let part = 0;
  let value = -1;
  code[5] = 255;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      value = (value < 0 ? 0 : value * 10) + (c - 0x30);
      if (value > 255) return false;
      continue;
    }
    // The separator must be the one that comes after this part: A "-" B ":" C "." D "." E ("." or "*") F.
    const expected = part === 0 ? 0x2d : part === 1 ? 0x3a : part === 4 ? -1 : 0x2e;
    const ok = value >= 0 && part < 5 && (c === expected || (part === 4 && (c === 0x2e || c === 0x2a)));
    if (!ok) return false;
    code[part++] = value;
    value = -1;
  }
  if (value < 0 || part < 4) return false;
  code[part] = value;
  return part >= 4;
}

/** Reads a telegram from `/` to its trailer (as the framer hands it over: 7-bit text). */
export function parseTelegram(bytes: Uint8Array): Telegram {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const n = text.length;
  let eol = text.indexOf('\n');
  if (eol < 0) eol = n;
  const headerEnd = eol > 0 && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
  const maker = text.slice(1, Math.min(4, headerEnd));
  // After the maker, one character names the baud rate (IEC 62056-21 §6.3.14: "5" for 9600 and up), then the ident.
  const ident = text.slice(Math.min(5, headerEnd), headerEnd);
  const objects: TelegramObject[] = [];
  const skipped: Skipped[] = [];
  let last: TelegramObject | null = null;
  let at = eol + 1;
  while (at < n) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = n;
    const next = end + 1;
    if (end > at && text.charCodeAt(end - 1) === CR) end--;
    const first = text.charCodeAt(at);
    if (first === BANG) break;
    if (end === at) {
      at = next;
      continue;
    }
    if (objects.length >= MAX_OBJECTS && first !== OPEN) {
      skipped.push({ what: text.slice(at, Math.min(end, at + QUOTE)), reason: `the telegram has more than ${MAX_OBJECTS} objects: the rest is not read` });
      break;
    }
    const paren = first === OPEN ? at : text.indexOf('(', at);
    if (paren < 0 || paren >= end) {
      skipped.push({ what: text.slice(at, Math.min(end, at + QUOTE)), reason: 'a line without a value in parentheses' });
      last = null;
      at = next;
      continue;
    }
    let target: TelegramObject | null;
    if (first === OPEN) {
      // Groups alone on a line belong to the object before (the DSMR 2.2 gas reading).
      target = last;
      if (target === null) skipped.push({ what: text.slice(at, Math.min(end, at + QUOTE)), reason: 'values on a line of their own that follow no object' });
    } else if (readCode(text, at, paren)) {
      target = { obis: Obis.at(code, 0), values: [] };
    } else {
      skipped.push({ what: text.slice(at, Math.min(paren, at + QUOTE)), reason: 'not an OBIS code (A-B:C.D.E)' });
      target = null;
    }
    if (target !== null && !readGroups(text, paren, end, target.values)) {
      skipped.push({ what: text.slice(at, Math.min(paren, at + QUOTE)), reason: 'its values are not in matched parentheses' });
      target = null;
    }
    if (target !== null && target !== last) objects.push(target);
    last = target;
    at = next;
  }
  return { maker, ident, objects, skipped };
}

/** The groups `(…)(…)` of `text[at, end)` added to `values`; false when the parentheses do not match. */
function readGroups(text: string, at: number, end: number, values: string[]): boolean {
  let i = at;
  while (i < end) {
    if (text.charCodeAt(i) !== OPEN) return false;
    const close = text.indexOf(')', i + 1);
    if (close < 0 || close >= end) return false;
    values.push(text.slice(i + 1, close));
    i = close + 1;
  }
  return values.length > 0;
}

/**
 * Whether decrypted bytes are a text telegram: `/`, three letters, a line end and a `!`. Decipher asks it to tell a
 * wrong encryption key (noise comes out) from a right one.
 */
export function isTelegramText(p: Uint8Array): boolean {
  if (p.length < 8 || p[0] !== 0x2f) return false;
  for (let i = 1; i <= 3; i++) {
    const l = p[i]! | 0x20;
    if (l < 0x61 || l > 0x7a) return false;
  }
  return p.indexOf(0x0a) > 0 && p.lastIndexOf(BANG) > 0;
}
