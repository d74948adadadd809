/**
 * A capture file as `decode` reads it and the capture option writes it: hex text (whitespace, line breaks,
 * `0x` prefixes and `#` comments ignored) or the raw bytes as received. Real frames start with 0x7E or
 * 0x68, never with printable hex digits, so the two cannot be confused.
 */
export function parseCapture(input: Uint8Array): Uint8Array {
  const text = Buffer.from(input).toString('latin1');
  const stripped = text.replace(/#[^\n]*/g, '').replace(/0x/gi, '').replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(stripped)) return input;
  if (stripped.length % 2 !== 0) throw new RangeError(`the hex capture has an odd number of digits (${stripped.length})`);
  return Uint8Array.from(Buffer.from(stripped, 'hex'));
}

/** One line of a capture file: a comment with the time received, then the bytes in hex. */
export function captureLine(bytes: Uint8Array, at: Date): string {
  return `# ${at.toISOString()}\n${Buffer.from(bytes).toString('hex').toUpperCase()}\n`;
}
