/**
 * The authentication key of every Luxembourg Smarty meter's P1 port: the Smarty P1 specification v1.1.3 §3.2.5 fixes
 * it, and the grid operators hand out the encryption key alone (esphome-libs/dsmr_parser
 * src/dsmr_parser/dlms_packet_decryptor.h, "hardcoded and is the same for all DSMR devices"; ndokter/dsmr_parser#178).
 * Not a secret: a published constant, used only when no authentication key is set and only where the GCM tag proves
 * that the meter used it.
 */
export const SMARTY_AUTHENTICATION_KEY: Uint8Array = Uint8Array.of(0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff);
