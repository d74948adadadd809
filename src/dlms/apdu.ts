import { uint32 } from '../base/bytes.js';
import { ApduError } from '../base/errors.js';
import { parseData, type Data } from './axdr.js';
import { dateTimeAt, type CosemDateTime } from './datetime.js';

/** xDLMS APDU tags a push meter sends (Green Book table "xDLMS APDUs"). */
export const DATA_NOTIFICATION = 0x0f;
export const GENERAL_GLO_CIPHERING = 0xdb;

export interface NotificationHeader {
  readonly invokeId: number;
  readonly dateTime: CosemDateTime | null;
  /** Where the notification-body starts in the APDU. */
  readonly bodyAt: number;
}

export interface DataNotification extends NotificationHeader {
  readonly body: Data;
}

/**
 * data-notification: `0F | long-invoke-id-and-priority(4) | date-time | notification-body`. The date-time
 * comes in three forms seen on real meters: tagged (`09 0C` + 12, Kamstrup 2017, Kaifa NO), untagged
 * (`0C` + 12, Kamstrup since 2018) and absent (`00`, Aidon). The body is left to its reader (the push-list
 * reader reads it straight from the bytes); it must fill the APDU exactly.
 */
export function parseNotificationHeader(apdu: Uint8Array): NotificationHeader {
  if (apdu.length < 6) throw new ApduError(`APDU of ${apdu.length} bytes is too short for a data-notification`);
  if (apdu[0] !== DATA_NOTIFICATION) {
    throw new ApduError(`APDU tag 0x${apdu[0]!.toString(16).padStart(2, '0')} is not a data-notification (0x0f)`);
  }
  const invokeId = uint32(apdu, 1);
  let pos = 5;
  let dateTime: CosemDateTime | null = null;
  if (apdu[pos] === 0x09 && apdu[pos + 1] === 0x0c) {
    dateTime = dateTimeAt(apdu, pos + 2);
    pos += 14;
  } else if (apdu[pos] === 0x0c) {
    dateTime = dateTimeAt(apdu, pos + 1);
    pos += 13;
  } else if (apdu[pos] === 0x00) {
    pos += 1;
  } else {
    throw new ApduError(`data-notification date-time has an unknown form (0x${apdu[pos]!.toString(16).padStart(2, '0')})`);
  }
  if (pos >= apdu.length) throw new ApduError('data-notification has no body');
  return { invokeId, dateTime, bodyAt: pos };
}

/**
 * Throws unless the body ends exactly where the APDU does: for encryption-only meters this strictness is the
 * only integrity check there is.
 */
export function expectBodyEnd(apdu: Uint8Array, next: number): void {
  if (next !== apdu.length) throw new ApduError(`data-notification body ends at byte ${next} but the APDU has ${apdu.length} bytes`);
}

/** The header and the whole body as a Data tree, for tools and for lists read value by value. */
export function parseDataNotification(apdu: Uint8Array): DataNotification {
  const header = parseNotificationHeader(apdu);
  const body = parseData(apdu, header.bodyAt);
  expectBodyEnd(apdu, body.next);
  return { ...header, body: body.value };
}
