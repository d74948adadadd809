import { createDecipheriv } from 'node:crypto';
import { connect as dial } from 'node:net';
import { MqttClient } from 'mqtt';

/**
 * The floor: the least a Node program must do for what PowerMeter does with each frame of a Danish meter. It reads
 * the same byte stream (a TCP bridge, or a serial port through serialport), finds the HDLC frame, decrypts its
 * general-glo-ciphering APDU with node:crypto (AES-128-GCM, the tag checked), walks the A-XDR body, builds a state
 * JSON of the service's size and publishes it with MQTT.js. It runs with the add-on's Node flags, as the service
 * does, and its figures are what the service's are measured against (`npm run bench -- floor`, `-- service`).
 *
 * What it leaves out is what a user cannot do without and the floor does not need to be measured against: no
 * options, no log, no discovery, no energy periods (their fields are in the state's size, not computed), no key
 * check, no reconnecting, no HDLC checksums (the GCM tag authenticates the APDU). It is written as anyone would write
 * it, with nothing tuned: imports at the top, `on('data')` for every read.
 *
 * Its one argument is a JSON `FloorConfig`.
 */
export interface FloorConfig {
  readonly source: { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number };
  readonly mqttUrl: string;
  readonly topic: string;
  readonly encryptionKey: string;
  readonly authenticationKey: string;
  /** The size of the service's state message for the same frame: the floor's is made as large. */
  readonly stateBytes: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as FloorConfig;
const encryptionKey = Buffer.from(config.encryptionKey, 'hex');
const authenticationKey = Buffer.from(config.authenticationKey, 'hex');

// MQTT.js's defaults, but for its cache of 65 536 prebuilt packet-id Buffers (6 MB of heap), which a lean program
// turns off as the service does: the floor is the least, in memory too. For the same reason it dials the broker
// itself, as the service does for a plain mqtt:// broker (src/mqtt/client.ts): MQTT.js's connect() loads every
// transport it has (WebSocket, SOCKS, TLS) at its first call, 40 ms and 3 MB under these flags.
const broker = new URL(config.mqttUrl);
const client = new MqttClient(() => dial({ host: broker.hostname, port: Number(broker.port) }), { writeCache: false });
client.on('connect', () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
client.on('error', () => undefined);

type Value = number | string | Buffer | null;

/** Walks one A-XDR data item from `at`, flattening structures and arrays into `out`; returns where it ends. */
function walk(p: Buffer, at: number, out: Value[]): number {
  const tag = p[at++]!;
  switch (tag) {
    case 0x01: // array
    case 0x02: {
      // structure
      let n = p[at++]!;
      if (n === 0x81) n = p[at++]!;
      else if (n === 0x82) {
        n = p.readUInt16BE(at);
        at += 2;
      }
      for (let k = 0; k < n; k++) at = walk(p, at, out);
      return at;
    }
    case 0x09: {
      const n = p[at++]!;
      out.push(p.subarray(at, at + n));
      return at + n;
    }
    case 0x0a: {
      const n = p[at++]!;
      out.push(p.toString('latin1', at, at + n));
      return at + n;
    }
    case 0x06:
      out.push(p.readUInt32BE(at));
      return at + 4;
    case 0x05:
      out.push(p.readInt32BE(at));
      return at + 4;
    case 0x12:
      out.push(p.readUInt16BE(at));
      return at + 2;
    case 0x10:
      out.push(p.readInt16BE(at));
      return at + 2;
    case 0x11:
    case 0x16:
      out.push(p[at]!);
      return at + 1;
    case 0x0f:
      out.push(p.readInt8(at));
      return at + 1;
    case 0x14:
      out.push(Number(p.readBigInt64BE(at)));
      return at + 8;
    case 0x15:
      out.push(Number(p.readBigUInt64BE(at)));
      return at + 8;
    case 0x00:
      out.push(null);
      return at;
    default:
      throw new Error(`A-XDR tag ${tag} at ${at - 1}`);
  }
}

const clockText = (b: Buffer): string => new Date(Date.UTC(b.readUInt16BE(0), (b[2] ?? 1) - 1, b[3], b[5], b[6], b[7])).toISOString();

/** Filler fields that make the state as large as the service's (its energy periods): counted at the first frame. */
let fillers = -1;

function onFrame(f: Buffer): void {
  // f: format (2), destination and source addresses (each to its byte with bit 0 set), control, HCS (2), LLC, APDU, FCS (2)
  let i = 2;
  while (!(f[i]! & 1)) i++;
  i++;
  while (!(f[i]! & 1)) i++;
  i += 4;
  if (f[i] === 0xe6) i += 3;
  const apdu = f.subarray(i, f.length - 2);
  if (apdu[0] !== 0xdb) return;
  const systemTitle = apdu.subarray(2, 10);
  let j = apdu[10] === 0x82 ? 13 : apdu[10] === 0x81 ? 12 : 11;
  const sc = apdu[j++]!;
  const counter = apdu.readUInt32BE(j);
  const decipher = createDecipheriv('aes-128-gcm', encryptionKey, Buffer.concat([systemTitle, apdu.subarray(j, j + 4)]), { authTagLength: 12 });
  decipher.setAAD(Buffer.concat([Buffer.of(sc), authenticationKey]));
  decipher.setAuthTag(apdu.subarray(apdu.length - 12));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(apdu.subarray(j + 4, apdu.length - 12)), decipher.final()]);
  } catch {
    return; // a wrong tag
  }
  // data-notification: 0F, invoke id (4), date-time (0C + 12, 09 0C + 12, or 00), the body
  let at = 5;
  if (plain[at] === 0x09) at++;
  at += plain[at] === 0x0c ? 13 : 1;
  const values: Value[] = [];
  walk(plain, at, values);
  const state: Record<string, number | string | null> = {};
  let first = 0;
  for (let k = 0; k + 1 < values.length; k++) {
    const code = values[k];
    const value = values[k + 1];
    if (!(code instanceof Buffer) || code.length !== 6) continue;
    k++;
    if (typeof value === 'number') {
      state[`${code[2]}.${code[3]}.${code[4]}`] = value / 100;
      first ||= value;
    } else if (value instanceof Buffer && value.length === 12) state.meter_time = clockText(value);
  }
  state.frame_counter = counter;
  if (fillers < 0) {
    const bare = JSON.stringify(state).length;
    const one = `,"period_00":${first / 100}`.length;
    fillers = Math.max(0, Math.ceil((config.stateBytes - bare) / one));
  }
  for (let k = 0; k < fillers; k++) state[`period_${k}`] = first / 100;
  client.publish(config.topic, JSON.stringify(state), { qos: 0, retain: false });
}

let held: Buffer = Buffer.alloc(0);

/** Appends what came and hands on every whole HDLC frame: 7E, format A…, the length, 7E at its end. */
function onData(chunk: Buffer): void {
  held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
  for (;;) {
    const start = held.indexOf(0x7e);
    if (start < 0 || held.length < start + 3) {
      held = start < 0 ? Buffer.alloc(0) : held.subarray(start);
      return;
    }
    const length = ((held[start + 1]! & 0x07) << 8) | held[start + 2]!;
    if ((held[start + 1]! & 0xf0) !== 0xa0 || length < 8) {
      held = held.subarray(start + 1);
      continue;
    }
    const end = start + length + 1;
    if (held.length <= end) {
      held = held.subarray(start);
      return;
    }
    if (held[end] !== 0x7e) {
      held = held.subarray(start + 1);
      continue;
    }
    onFrame(held.subarray(start + 1, end));
    held = held.subarray(end + 1);
  }
}

// Ends cleanly when the benchmark stops it, so that a profile (--cpu-prof) is written.
process.once('SIGTERM', () => process.exit(0));

const source = config.source;
if (source.kind === 'tcp') {
  const socket = dial({ host: source.host, port: source.port });
  socket.on('data', onData);
  socket.on('error', () => undefined);
} else {
  // Loaded only for a serial source, as the service does: a native module.
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path: source.path, baudRate: source.baudRate, dataBits: 8, parity: 'none', stopBits: 1 });
  port.on('data', onData);
  port.on('error', () => undefined);
}
