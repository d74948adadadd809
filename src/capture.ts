/** One line of a capture file: a comment with the time received, then the bytes in hex. */
export function captureLine(bytes: Uint8Array, at: Date): string {
  return `# ${at.toISOString()}\n${Buffer.from(bytes).toString('hex').toUpperCase()}\n`;
}
