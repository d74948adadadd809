import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type Running } from '../src/service/app.js';
import { parseOptions } from '../src/service/options.js';
import { framePayload } from '../src/source/mqtt-frames.js';
import { Recorder, TestBroker } from './support/broker.js';
import { captureLogger } from './support/capture-logger.js';
import { bytesOf, danish, vector } from './support/vectors.js';

describe('raw frames from an MQTT topic', () => {
  it('reads binary, hex text and the Tasmota serial bridge JSON', () => {
    const frame = bytesOf(danish);
    expect(framePayload(frame)).toEqual(frame);
    expect(framePayload(Buffer.from(danish.hex.toLowerCase()))).toEqual(frame);
    expect(framePayload(Buffer.from(JSON.stringify({ SerialReceived: danish.hex })))).toEqual(frame);
    expect(framePayload(Buffer.from(danish.hex.match(/../g)!.join(' ')))).toEqual(frame); // as bridges log bytes
  });

  it('reads damaged hex as far as it goes, as decode does: the framer then counts the frame it spoils', () => {
    const frame = bytesOf(danish);
    expect(framePayload(Buffer.from(danish.hex.slice(0, -1)))).toEqual(frame.subarray(0, -1)); // a digit short
    expect(framePayload(Buffer.from(`${danish.hex.slice(0, 20)}zz${danish.hex.slice(20)}`))).toEqual(frame.subarray(0, 10)); // a stray character
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

    it('decodes frames published by a Tasmota bridge and as raw bytes', async () => {
      await recorder.client.publishAsync('tasmota/han/tele/RESULT', JSON.stringify({ SerialReceived: danish.hex }));
      const state = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/27581522/state')).payload) as Record<string, number>;
      expect(state.voltage_l1).toBe(224);
      await recorder.client.publishAsync('tasmota/han/tele/RESULT', bytesOf(vector('dk-kamstrup-omnipower-gh741-1-unencrypted')));
      const clear = JSON.parse((await recorder.next((m) => m.topic === 'powermeter/5706567282299475/state')).payload) as Record<string, number>;
      expect(clear.current_l3).toBe(1.23);
    });
  });
});
