import { uint16 } from '../base/bytes.js';
import { FrameError } from '../base/errors.js';
import { readBerLength } from '../base/ber.js';

/** DLMS general-block-transfer (Green Book §9.3.10): `E0 | ctl | block-no(2) | ack-no(2) | BER length | data`. */
export const GBT_TAG = 0xe0;
const LAST_BLOCK = 0x80;

export class BlockTransfer {
  private blocks: Uint8Array[] = [];
  private size = 0;
  private expected = 1;

  constructor(private readonly maxSize: number) {}

  /** Adds one block; returns the whole APDU after the last block, else null. Throws a FrameError on a gap. */
  push(apdu: Uint8Array): Uint8Array | null {
    if (apdu.length < 7) throw this.fail('general-block-transfer block shorter than its header');
    const ctl = apdu[1]!;
    const blockNo = uint16(apdu, 2);
    const len = readBerLength(apdu, 6);
    if (!len || len.next + len.length > apdu.length) throw this.fail('general-block-transfer block length exceeds the frame');
    if (blockNo === 1) this.reset();
    if (blockNo !== this.expected) {
      const expected = this.expected;
      this.reset();
      throw this.fail(`general-block-transfer block ${blockNo} arrived where block ${expected} was expected`);
    }
    const data = apdu.subarray(len.next, len.next + len.length);
    this.size += data.length;
    if (this.size > this.maxSize) {
      this.reset();
      throw this.fail('general-block-transfer message exceeds the size limit');
    }
    this.blocks.push(data.slice());
    this.expected++;
    if (!(ctl & LAST_BLOCK)) return null;
    const whole = Buffer.concat(this.blocks, this.size);
    this.reset();
    return whole;
  }

  /** The blocks received of a message whose last block has not come; 0 when none is waiting. */
  get waiting(): number {
    return this.blocks.length;
  }

  reset(): void {
    this.blocks = [];
    this.size = 0;
    this.expected = 1;
  }

  private fail(message: string): FrameError {
    return new FrameError('reassembly', message);
  }
}
