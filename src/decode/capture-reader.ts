import { isHexDigit, nibble } from '../base/hex.js';

/**
 * Reads a capture as it streams in, in one pass: hex text (as `decode` takes it and the capture option and the page
 * write it: whitespace, `0x` prefixes, colons and commas between bytes, `#` comments) or the raw bytes as received.
 * Which one is decided by the first byte that is not whitespace: a real frame starts with 0x7E or 0x68, which are
 * not hex digits, and a hex capture starts with a digit or a comment (a P1 capture cut in a data line starts with a
 * digit too: its text tells it apart). Damaged hex never stops the reading: a stray
 * character skips the rest of its line, a line with an odd number of digits loses its last one, and each is said
 * with its line, so that the frames after it still decode.
 */
export class CaptureReader {
  private mode: 'unknown' | 'hex' | 'raw' = 'unknown';
  /** The unfinished last line of hex text. */
  private rest = '';
  private line = 0;

  constructor(
    private readonly emit: (bytes: Buffer) => void,
    private readonly warn: (message: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.mode === 'unknown') {
      let i = 0;
      while (i < chunk.length && (chunk[i] === 0x20 || chunk[i] === 0x09 || chunk[i] === 0x0a || chunk[i] === 0x0d)) i++;
      if (i === chunk.length) return; // only whitespace so far: wait for more
      const b = chunk[i]!;
      this.mode = (b === 0x23 /* # */ || isHexDigit(b)) && !isP1Text(chunk) ? 'hex' : 'raw';
    }
    if (this.mode === 'raw') {
      this.emit(chunk);
      return;
    }
    const text = this.rest + chunk.toString('latin1');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.readLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  end(): void {
    if (this.mode === 'hex' && this.rest !== '') this.readLine(this.rest);
    this.rest = '';
  }

  private readLine(raw: string): void {
    this.line++;
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') return;
    // Nearly every line is plain hex: one native conversion, which stops at the first pair that is not hex; every
    // digit converted is proof enough (a regular expression over the line first was 3.5 % of `decode`, issue #30).
    const bytes = Buffer.from(line, 'hex');
    if (bytes.length * 2 === line.length) return this.emit(bytes);
    if (PLAIN_HEX.test(line)) {
      this.warn(`line ${this.line}: an odd number of hex digits; its last digit is dropped (a frame cut short?)`);
      return this.emit(bytes); // the pairs before the odd last digit
    }
    const out: number[] = [];
    let high = -1;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      const v = nibble(c);
      if (v >= 0) {
        if (high < 0) high = v;
        else {
          out.push((high << 4) | v);
          high = -1;
        }
      } else if ((c | 0x20) === 0x78 /* x */ && high === 0) {
        high = -1; // "0x" before a byte: the 0 was no digit of it
      } else if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x3a /* : */ || c === 0x2c /* , */ || c === 0x2d /* - */) {
        if (high >= 0) {
          this.warn(`line ${this.line}, column ${i + 1}: a lone hex digit before a separator is dropped`);
          high = -1;
        }
      } else {
        this.warn(`line ${this.line}, column ${i + 1}: "${line[i]}" is not a hex digit; the rest of the line is skipped`);
        high = -1;
        break;
      }
    }
    if (high >= 0) this.warn(`line ${this.line}: an odd number of hex digits; its last digit is dropped (a frame cut short?)`);
    if (out.length > 0) this.emit(Buffer.from(out));
  }
}

/**
 * A whole capture at once (a raw frame published on MQTT as hex text): its bytes, damaged hex read as far as it goes.
 * What is lost is not said here: the framer counts the frame it spoils.
 */
export function readCapture(input: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const reader = new CaptureReader(
    (bytes) => parts.push(bytes),
    () => undefined,
  );
  reader.push(Buffer.from(input.buffer, input.byteOffset, input.length));
  reader.end();
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

const PLAIN_HEX = /^[0-9A-Fa-f]+$/;
/**
 * P1 text telegrams are raw captures too, and one cut in the middle starts with the digits of a data line: a P1 header
 * or a data line `A-B:C.D.E(` in the first chunk, outside comments, makes it raw.
 */
const P1_TEXT = /(^|\n)\/[A-Za-z]{3}|\d-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}(\*\d{1,3})?\(/;

function isP1Text(chunk: Buffer): boolean {
  const text = chunk.toString('latin1');
  return P1_TEXT.test(text.includes('#') ? text.replace(/#[^\n]*/g, '') : text);
}
