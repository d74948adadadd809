import { uint32 } from '../base/bytes.js';

/** What a system title says, in the forms a decoded frame needs. */
export interface Title {
  /** The FLAG id, its first three letters ("KAM"). */
  readonly flag: string;
  readonly hex: string;
  /** Kamstrup puts the meter number in the last four bytes of its system title ("KAME" + u32); others: the title in hex. */
  readonly meterId: string;
}

/** The last system title seen: a source carries one meter, and its title's text was 2 % of a frame under --jitless. */
let lastTitle: { bytes: Uint8Array; title: Title } | null = null;

export function titleOf(st: Uint8Array): Title {
  if (lastTitle !== null && sameBytes(st, lastTitle.bytes)) return lastTitle.title;
  const bytes = Uint8Array.from(st); // a copy: the frame's buffer is reused
  const view = Buffer.from(bytes.buffer, 0, bytes.length);
  const flag = view.toString('latin1', 0, 3);
  const hex = view.toString('hex').toUpperCase();
  const title = { flag, hex, meterId: flag === 'KAM' && bytes.length === 8 ? String(uint32(bytes, 4)) : hex };
  lastTitle = { bytes, title };
  return title;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
