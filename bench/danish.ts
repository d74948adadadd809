import { createDecipheriv } from 'node:crypto';
import { LOCAL_TIME_ZONE, wallTime } from '../src/accounting/time-zone.js';
import { encipher } from '../src/dlms/cipher.js';
import { dateTimeBytes, hdlcFrame } from '../src/simulator/encode.js';

/**
 * A real frame of a Danish Kamstrup OMNIPOWER 3-phase meter (grid company Radius): 491 bytes, HDLC, SC 0x30
 * (authenticated and encrypted), push list 1 with 30 values, and its two keys, which its source published.
 * Copied from test/fixtures/public-vectors.json (`dk-kamstrup-omnipower-radius-encrypted-1`), whose source is
 * Asbjoern/Kamstrup-Radius-Interface, kamstrup-radius-mqtt/kamstrup-radius-mqtt.ino at commit
 * 1432b42c4cb5155a5e9e48c24d7666fc267eb6d8 (the commented-out `input[]` test frame; the keys in the same file's
 * commented conf_key / conf_authkey, GPK60 and GPK61). The benchmarks never read test/: the bytes are here.
 */
const FRAME_HEX =
  '7EA1E9410313C637E6E700DB084B414D4501A4DC528201D030000788E1A039B2D14C712DD4D8C8440D5368E433BD70B73681E9A9EFFE38F1' +
  '75A37DE9CDE64E8F780D8F18B43FC059D87902F3D747B814BCD06A4700687801BD5D06612054507D44E76698CC3E35CC9DE62C284C0DEEA6' +
  '35B9BFC56CE1FE5A3A1E5E270B0C181ACF02151FCC592134D04F0292B5A35338D7B781BB1F2A7E4071815CEED5D4BAC6EFAAAFF979EF969D' +
  '0DB46F51E5E0FC00F5AD105FBEF95FC5F885460B5632554AC05D9EB4F65FF223972A47CFD434B5F5E2D853EA4C14727586F0E21C6EE12526' +
  '8CB4DC7EC5B10F8483C010C8E688DF86584D7C29D81731A4E0969141B6ADD942E40A96E3E2DC2F9020BF9D5802A18DC985BB5422F470C062' +
  '9D22DB6F16B6647DB3C9F727C170C2DB4C9A230F828346E86F56D347B62BFE28A507AE2A219ACC63AD5EE06ECB949DC4FDC2D2F808027A4A' +
  '4C677C93C4C8909D7336D8B8B3791836C5555E74E25482A44A5F6D358DCE8450478F8B2C5D5666C2CF8BD190D4874E707F5D4BCDE94E9135' +
  '5A8139C3E41CD5F08899B65EE9B59FC60372E4F92BC99826B8C147F2095FB38A891409AA81E227076C21CB7CAF73B3E8A4E256C70D9547A9' +
  '14F39C169376BF922B08064EC4FB31D44ECD721D1A151E4E684F0B2685C4B69D96F5FB52D0B8127936247E';

export const danishKeys = {
  encryption: Buffer.from('5AD84121D9D20B364B7A11F3C1B5827F', 'hex'),
  authentication: Buffer.from('AFB3F93E3E7204EDB3C27F96DBD51AE0', 'hex'),
};

/** The frame as the meter sent it. */
export const danishFrame = Buffer.from(FRAME_HEX, 'hex');

/** Its meter number (the system title's last four bytes, as its OBIS 0.0.1.0 register says): the state topic's id. */
export const danishMeterId = '27581522';

/** Where the ciphered APDU begins (after 7E, format, addresses, control, HCS and the LLC bytes E6 E7 00). */
const APDU_AT = 11;
const TAG = 12;

/** The meter's plaintext (the data-notification), decrypted once with its published keys. */
function plaintextOf(frame: Buffer): Buffer {
  const apdu = frame.subarray(APDU_AT, frame.length - 3);
  const systemTitle = apdu.subarray(2, 10);
  const inner = apdu.subarray(13); // DB 08 <8> 82 01 D0, then SC, frame counter, ciphertext, tag
  const iv = Buffer.concat([systemTitle, inner.subarray(1, 5)]);
  const d = createDecipheriv('aes-128-gcm', danishKeys.encryption, iv, { authTagLength: TAG });
  d.setAAD(Buffer.concat([inner.subarray(0, 1), danishKeys.authentication]));
  d.setAuthTag(inner.subarray(inner.length - TAG));
  return Buffer.concat([d.update(inner.subarray(5, inner.length - TAG)), d.final()]);
}

/**
 * The same meter's frames from now on, as it would send them: its real list and values, the clock (in the
 * notification's header and in the list, 0-0:1.0.0) set to the time of sending in this host's zone, and the frame
 * counter counting up, enciphered again with its keys. The service refuses a repeated frame counter as a replay, so
 * a benchmark of the service needs fresh ones; the bytes are otherwise the meter's.
 */
export class DanishMeter {
  private readonly plain = plaintextOf(danishFrame);
  private readonly systemTitle = Buffer.from(danishFrame.subarray(APDU_AT + 2, APDU_AT + 10));
  /** The list's clock: the 12 bytes after OBIS 0-0:1.0.0.255 and the octet-string tag 09 0C. */
  private readonly clockAt = this.plain.indexOf(Buffer.from('0906000101 0000ff090c'.replace(/ /g, ''), 'hex')) + 10;

  constructor(private counter = 1) {
    if (this.clockAt < 10) throw new Error('the Danish frame has no clock in its list');
  }

  frame(at = Date.now()): Buffer {
    const clock = dateTimeBytes(wallTime(at, LOCAL_TIME_ZONE));
    clock.copy(this.plain, 6); // 0F, invoke id (4), 0C, then the header's date-time
    clock.copy(this.plain, this.clockAt);
    const apdu = encipher(this.plain, { systemTitle: this.systemTitle, frameCounter: this.counter++, securityControl: 0x30, keys: danishKeys });
    return hdlcFrame(apdu);
  }
}
