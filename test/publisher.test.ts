import { afterAll, describe, expect, it } from 'vitest';
import { Publisher, topicMatches, type BrokerEvent } from '../src/mqtt/publisher.js';
import { Backoff } from '../src/base/backoff.js';
import { mosquitto, Recorder, TestBroker } from './support/broker.js';
import { eventually } from './support/eventually.js';

describe('the publisher against a real broker', () => {
  const brokers: TestBroker[] = [];
  afterAll(async () => {
    for (const b of brokers) await b.down();
  });

  it(`keeps trying after a refused login, and connects once the user exists, without a restart (${mosquitto ? 'Mosquitto' : 'aedes'})`, async () => {
    const broker = await TestBroker.start({ someone: 'else' });
    brokers.push(broker);
    const events: BrokerEvent[] = [];
    const publisher = new Publisher({
      broker: { url: broker.url, username: 'powermeter', password: 'correct horse' },
      availabilityTopic: 'powermeter/availability',
      statusTopics: ['homeassistant/status'],
      backoff: new Backoff(50, 400),
      onBroker: (e) => events.push(e),
      onHomeAssistantOnline: () => undefined,
    });
    publisher.start();
    await eventually(() => expect(events.filter((e) => e.state === 'refused').length).toBeGreaterThanOrEqual(3));
    expect(events.every((e) => e.state === 'refused')).toBe(true);
    expect(events[0]).toMatchObject({ detail: expect.stringMatching(/refused the login: check mqtt_username and mqtt_password/) as string });
    expect(publisher.lostSince).not.toBeNull();
    // The administrator adds the user and reloads the broker.
    broker.setUsers({ someone: 'else', powermeter: 'correct horse' });
    await eventually(() => expect(events.at(-1)).toEqual({ state: 'connected' }), 15_000);
    expect(publisher.connected).toBe(true);
    expect(publisher.lostSince).toBeNull();
    const recorder = await Recorder.start(broker.url.replace('mqtt://', 'mqtt://powermeter:correct%20horse@'), 'powermeter/#');
    publisher.availability('powermeter/availability', true);
    expect((await recorder.next((m) => m.topic === 'powermeter/availability')).payload).toBe('online');
    await recorder.stop();
    await publisher.stop();
  });

  it('says the broker is down when it goes away, and comes back when it does', async () => {
    const broker = await TestBroker.start();
    brokers.push(broker);
    const events: BrokerEvent['state'][] = [];
    const publisher = new Publisher({
      broker: { url: broker.url },
      availabilityTopic: 'powermeter/availability',
      statusTopics: ['homeassistant/status'],
      backoff: new Backoff(50, 200),
      onBroker: (e) => events.push(e.state),
      onHomeAssistantOnline: () => undefined,
    });
    publisher.start();
    await eventually(() => expect(events).toEqual(['connected']));
    await broker.down();
    await eventually(() => expect(events.slice(0, 2)).toEqual(['connected', 'down']));
    await broker.up();
    await eventually(() => expect(events.at(-1)).toBe('connected'), 15_000);
    await publisher.stop();
  });

  it('backs off 1 s, 2 s, 4 s … up to 30 s', () => {
    const b = new Backoff(1000, 30_000);
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('matches MQTT topic filters as brokers do', () => {
    expect(topicMatches('han/+/raw', 'han/kitchen/raw')).toBe(true);
    expect(topicMatches('han/#', 'han/a/b/c')).toBe(true);
    // A shared subscription's messages come with their own topic.
    expect(topicMatches('$share/powermeter/han/+/raw', 'han/kitchen/raw')).toBe(true);
    expect(topicMatches('$share/powermeter/han/+/raw', 'han/kitchen/state')).toBe(false);
    expect(topicMatches('han/#', 'han')).toBe(true);
    expect(topicMatches('han/+', 'han/a/b')).toBe(false);
    expect(topicMatches('han/raw', 'han/raw2')).toBe(false);
  });
});
