import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { ServiceCore } from '../src/core/core.js';
import type { Effect } from '../src/core/events.js';
import { emptyState } from '../src/core/persisted.js';
import { Decoder, type DecodedFrame } from '../src/decode/decoder.js';
import { MqttFrameSource } from '../src/source/mqtt-frames.js';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { classify, RawFrameStream } from '../src/source/raw-frames.js';
import { random, seed } from './support/random.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { bytesOf, danish, vector } from './support/vectors.js';

const KEYS = { encryption: Buffer.from(danish.keys!.encryption!, 'hex'), authentication: Buffer.from(danish.keys!.authentication!, 'hex') };
const epoch = Date.UTC(2026, 11, 4, 12);

/** Feeds messages through one stream and a decoder, as the service does: the frames that decode. */
function decodeStream(messages: readonly Buffer[]): DecodedFrame[] {
  const stream = new RawFrameStream();
  const decoder = new Decoder({ keys: KEYS });
  const frames: DecodedFrame[] = [];
  for (const m of messages) decoder.feed(stream.push(m).bytes, (r) => (r.ok ? frames.push(r.frame) : undefined));
  return frames;
}

/** `n` frames of the simulated Danish meter, in pieces of `size` bytes (or of random sizes up to it). */
function framesOf(n: number, meter = new SimulatedMeter(27581522, KEYS, { timeZone: 'UTC' })): Buffer[] {
  return Array.from({ length: n }, (_, i) => meter.frame(new Date(epoch + i * 10_000), 10));
}
const pieces = (bytes: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('raw frames from an MQTT topic, one stream per topic', () => {
  it('reads binary, hex text and the Tasmota serial bridge JSON', () => {
    const frame = bytesOf(danish);
    for (const payload of [frame, Buffer.from(danish.hex.toLowerCase()), Buffer.from(JSON.stringify({ SerialReceived: danish.hex })), Buffer.from(danish.hex.match(/../g)!.join(' '))]) {
      expect(new RawFrameStream().push(payload).bytes).toEqual(frame);
    }
  });

  it.each([1, 7, 64, 128, 256])('decodes every binary frame published in pieces of %i bytes, whatever a piece starts with', (size) => {
    const frames = framesOf(30);
    const decoded = decodeStream(frames.flatMap((f) => pieces(f, size)));
    expect(decoded).toHaveLength(30);
    expect(decoded.map((f) => f.frameCounter)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(decoded[29]!.readings.find((r) => r.key === 'voltage_l1')?.value).toBe(231);
  });

  it(`decodes binary frames in random pieces (seed ${seed})`, () => {
    const bytes = Buffer.concat(framesOf(50));
    const messages: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(random() * 300);
      messages.push(bytes.subarray(at, at + n));
      at += n;
    }
    expect(decodeStream(messages)).toHaveLength(50);
  });

  it.each([1, 7, 64, 255])('decodes hex text published in pieces of %i characters, a byte split between two of them joined', (size) => {
    const text = Buffer.from(framesOf(10).map((f) => f.toString('hex')).join('\n'));
    const decoded = decodeStream(pieces(text, size));
    expect(decoded).toHaveLength(10);
    expect(decoded[9]!.frameCounter).toBe(10);
  });

  it('decides the format from what arrives: a short piece that could be text waits for no one, a stream that changes is said once', () => {
    const stream = new RawFrameStream();
    const frame = framesOf(1)[0]!;
    expect(stream.push(frame.subarray(0, 3)).bytes).toEqual(frame.subarray(0, 3)); // starts with 7E: binary
    expect(stream.current).toBe('binary');
    expect(stream.push(Buffer.from('0A')).bytes).toEqual(Buffer.from('0A')); // a binary piece that looks like hex
    const hex = stream.push(Buffer.from(frame.toString('hex')));
    expect(hex.changed).toEqual({ from: 'binary', to: 'hex' });
    expect(hex.bytes).toEqual(frame);
    expect(stream.push(Buffer.from(frame.toString('hex'))).changed).toBeNull();
  });

  it('reads damaged hex as far as it goes: the framer then counts the frame it spoils, and the next frame decodes', () => {
    const [a, b] = framesOf(2);
    const stream = new RawFrameStream();
    const ahex = a!.toString('hex');
    expect(stream.push(Buffer.from(ahex.slice(0, -1))).bytes).toEqual(a!.subarray(0, -1)); // a digit short
    expect(stream.push(Buffer.from(b!.toString('hex'))).bytes).toEqual(b); // "7E…": a new frame, the lone digit dropped
    expect(stream.push(Buffer.from(`${ahex.slice(0, 20)}zz${ahex.slice(20)}`)).bytes).toEqual(a!.subarray(0, 10)); // a stray character
    expect(classify(Buffer.from('# a comment\n7EA0'))).toBe('hex');
    expect(classify(Buffer.from([0x7e, 0xa0]))).toBe('binary');
    expect(classify(Buffer.from('  '))).toBeNull();
  });

  it('100 000 topics under a wildcard, 2 bytes each: the source and the core keep at most 2 000 streams, said once an hour', () => {
    let deliver: (topic: string, payload: Buffer) => void = () => undefined;
    const source = new MqttFrameSource({ subscribe: (_f, on) => (deliver = on), unsubscribe: () => undefined }, 'han/+/raw');
    const spec = { id: '0', name: source.name, redial: false, remoteLine: true, keys: {}, baudRate: 2400, parity: 'none', multiStream: true };
    const core = new ServiceCore({ sources: [spec], dataTimeoutMs: 60_000, topics: { discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' }, origin: { name: 'PowerMeter', sw_version: 'test', support_url: 'https://example.invalid' }, timeZone: 'UTC', state: emptyState(), persist: false });
    const said: string[] = [];
    const take = (effects: readonly Effect[]) => {
      for (const e of effects) if (e.kind === 'notice' && e.notice.level !== 'debug') said.push(e.notice.text);
    };
    take(core.step({ kind: 'start', at: epoch }));
    source.start({
      data: (chunk, stream) => {
        take(core.step({ kind: 'bytes', source: '0', stream, chunk, at: epoch }));
        return core.awaiting('0', stream);
      },
      state: () => undefined,
      notice: (text) => said.push(text),
    });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) deliver(`han/${i}/raw`, Buffer.from([0x7e, 0xa0]));
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    expect(said.filter((t) => /more than 2000 streams/.test(t))).toHaveLength(1);
    // 2 000 streams with a framer each cost a few MB; 100 000 would cost hundreds.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  describe('end to end', () => {
    let broker: TestBroker;
    let recorder: Recorder;
    let app: Running;
    const log = captureLogger();

    beforeAll(async () => {
      broker = await TestBroker.start();
      recorder = await Recorder.start(broker.url);
      const settings = parseOptions({ source: 'mqtt', mqtt_source_topic: 'tasmota/han/tele/RESULT', encryption_key: danish.keys!.encryption, authentication_key: danish.keys!.authentication, mqtt_url: broker.url });
      app = startApp(settings, { url: broker.url }, log.logger);
      await recorder.next((m) => m.topic === 'powermeter/availability');
    });

    afterAll(async () => {
      await app?.stop();
      await recorder?.stop();
      await broker?.down();
    });

    it('decodes frames published by a Tasmota bridge, and refuses a frame in clear on a source that has keys (a forgery)', async () => {
      await recorder.client.publishAsync('tasmota/han/tele/RESULT', JSON.stringify({ SerialReceived: danish.hex }));
      const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/27581522/state')).payload) as Record<string, number>;
      expect(state.voltage_l1).toBe(224);
      await recorder.client.publishAsync('tasmota/han/tele/RESULT', bytesOf(vector('dk-kamstrup-omnipower-gh741-1-unencrypted')));
      await eventually(() => expect(app.core.rejected('0', 'not-protected')).toBe(1));
      expect(recorder.messages.some((m) => m.topic === 'powermeter/5706567282299475/state')).toBe(false);
      expect(log.lines.filter((l) => l.includes('a frame sent in clear (meter 5706567282299475) was refused: keys are set for this source'))).toHaveLength(1);
      expect(app.core.security('0')).toBe('authenticated');
    });

    it('decodes every frame a bridge publishes in 64-byte pieces, over Mosquitto', async () => {
      const before = app.core.frames;
      const frames = framesOf(20, new SimulatedMeter(12345678, KEYS, { timeZone: 'UTC' }));
      for (const f of frames) for (const p of pieces(f, 64)) await recorder.client.publishAsync('tasmota/han/tele/RESULT', p);
      // The publisher sends a meter's latest state, not every one it was given while the broker was busy: count frames.
      await eventually(() => expect(app.core.frames - before).toBe(20));
      expect(app.core.rejected('0', 'checksum')).toBe(0);
      const state = await recorder.next((m) => m.topic === 'powermeter/12345678/state' && (JSON.parse(m.payload) as { frame_counter?: number }).frame_counter === 20);
      expect((JSON.parse(state.payload) as Record<string, number>).voltage_l1).toBe(231);
    });
  });
});
