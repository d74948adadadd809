import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { SecurityState } from '../src/core/key-check.js';
import { securityStates } from '../src/core/key-check.js';
import type { KeyCheckAnswer, MeterHistory, PageState, SecurityWord, SerialPortsAnswer } from '../src/page/contract.js';
import { FRAMES_KEPT } from '../src/page/contract.js';
import { Dashboard } from '../src/page/dashboard.js';
import { trialAdvice } from '../src/page/key-trial.js';
import { startPage } from '../src/page/server.js';
import { listSerialPorts } from '../src/page/serial-ports.js';
import { startRig, type Rig } from './support/browser.js';
import { captureLogger } from './support/capture-logger.js';
import { eventually } from './support/eventually.js';
import { danishKeys } from './support/vectors.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const keys = { encryption_key: hex(danishKeys.encryption), authentication_key: hex(danishKeys.authentication) };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Content-Length always: Node's client sends a DELETE's body without it, which no server can read.
    const req = request(url, { method, headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = <T>(a: Answer): T => JSON.parse(a.body) as T;

/**
 * The `data:` line of each whole server-sent event (WHATWG HTML §9.2: an event ends at a blank line), however the
 * response is cut into chunks: a 5 kB event may come in two, and its first half is no JSON.
 */
function readEvents(res: NodeJS.ReadableStream, take: (data: string) => void): void {
  let text = '';
  res.on('data', (chunk: string) => {
    text += chunk;
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      for (const line of text.slice(0, end).split('\n')) if (line.startsWith('data: ')) take(line);
      text = text.slice(end + 2);
    }
  });
}

describe('the page’s API contract', () => {
  it('has the key check’s states exactly as the service names them', () => {
    expectTypeOf<SecurityWord>().toEqualTypeOf<SecurityState>();
    expect(Object.keys(trialAdvice).sort()).toEqual([...securityStates].sort());
  });

  it('says each trial’s advice once and short: one or two sentences, no phrase twice', () => {
    for (const [state, advice] of Object.entries(trialAdvice)) {
      expect(advice.length, state).toBeLessThan(160);
      const words = advice.toLowerCase().match(/[a-z]+/g) ?? [];
      const phrases = words.slice(0, -3).map((w, i) => `${w} ${words[i + 1]} ${words[i + 2]} ${words[i + 3]}`);
      expect(new Set(phrases).size, `${state}: ${advice}`).toBe(phrases.length);
    }
  });
});

describe('the page’s HTTP answers', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
    rig.frame();
  });
  afterAll(() => rig?.close());

  it('answers HEAD like GET (same status and type, no body), and other methods 405 with Allow', async () => {
    for (const path of ['', 'app.js', 'i18n/da.data.js', 'style.css', 'api/state', 'api/frames', 'api/capture', 'api/serial-ports', 'api/events']) {
      const get = path === 'api/events' ? null : await call(`${rig.url}${path}`, 'GET');
      const head = await call(`${rig.url}${path}`, 'HEAD');
      expect(head.status, path).toBe(200);
      expect(head.body, path).toBe('');
      if (get) {
        expect(get.status, path).toBe(200);
        expect(head.headers['content-type'], path).toBe(get.headers['content-type']);
      }
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const refused = await call(`${rig.url}${path}`, method, { 'Content-Type': 'application/json' }, '{}');
        expect(refused.status, `${method} ${path}`).toBe(405);
        expect(refused.headers.allow, `${method} ${path}`).toBe('GET, HEAD');
      }
    }
    expect(rig.server.streams).toBe(0);
    for (const path of ['api/key-check', 'api/save-keys']) {
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
        const refused = await call(`${rig.url}${path}`, method);
        expect(refused.status, `${method} ${path}`).toBe(405);
        expect(refused.headers.allow).toBe('POST');
      }
    }
    expect((await call(`${rig.url}nothing-here`, 'GET')).status).toBe(404);
    expect((await call(`${rig.url}nothing-here`, 'HEAD')).status).toBe(404);
  });

  it('runs the key check only for application/json from the page’s own origin, as browsers send it through the ingress', async () => {
    const check = (headers: Record<string, string>) => call(`${rig.url}api/key-check`, 'POST', headers, JSON.stringify(keys));
    const host = new URL(rig.url).host;
    // What Chromium sends from the page inside Home Assistant, after both proxies (the Host is the add-on's own).
    const ingress = { 'Content-Type': 'application/json', Origin: 'https://ha.example:8123', 'Sec-Fetch-Site': 'same-origin', 'X-Forwarded-Host': 'ha.example:8123', Host: '172.30.33.4:8099' };
    const ok = await check(ingress);
    expect(ok.status).toBe(200);
    expect(json<KeyCheckAnswer>(ok)).toMatchObject({ verdict: 'authenticated', frames: 1, systemTitle: expect.stringMatching(/^4B414D45/) as string });
    // An older browser without Fetch Metadata: Origin against the forwarded host (or the Host outside the ingress).
    expect((await check({ 'Content-Type': 'application/json', Origin: 'https://ha.example:8123', 'X-Forwarded-Host': 'ha.example:8123' })).status).toBe(200);
    expect((await check({ 'Content-Type': 'application/json', Origin: `http://${host}` })).status).toBe(200);
    // Not a browser (a script, the tests' own client): no other site's page behind it.
    expect((await check({ 'Content-Type': 'application/json' })).status).toBe(200);
    // Another site's page in the same browser.
    const crossSite: Record<string, string>[] = [
      { ...ingress, 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      { ...ingress, 'Sec-Fetch-Site': 'same-site' },
      { 'Content-Type': 'application/json', Origin: 'https://evil.example', 'X-Forwarded-Host': 'ha.example:8123' },
      { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
      { 'Content-Type': 'application/json', Origin: 'null' },
    ];
    for (const headers of crossSite) {
      const refused = await check(headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(json<{ error: string }>(refused).error).toBe('the request does not come from the PowerMeter page');
    }
    // A form or text/plain POST, which a browser sends cross-site without asking first.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const refused = await check({ ...ingress, 'Content-Type': type });
      expect(refused.status, type).toBe(415);
    }
    expect((await check({ ...ingress, 'Content-Type': 'Application/JSON; charset=utf-8' })).status).toBe(200);
    expect((await call(`${rig.url}api/save-keys`, 'POST', { ...ingress, 'Sec-Fetch-Site': 'cross-site' }, JSON.stringify(keys))).status).toBe(403);
  });

  it('keeps FRAMES_KEPT frames, newest first, and says so in the state', async () => {
    for (let i = 0; i < FRAMES_KEPT + 20; i++) rig.frame();
    const frames = json<unknown[]>(await call(`${rig.url}api/frames`, 'GET'));
    expect(frames).toHaveLength(FRAMES_KEPT);
    const state = json<PageState>(await call(`${rig.url}api/state`, 'GET'));
    expect(state.framesKept).toBe(FRAMES_KEPT);
    expect(state.canSaveKeys).toBe(false);
  });
});

describe('refused connections', () => {
  it('are said once a minute at most, with how many were refused in between', async () => {
    const log = captureLogger('info');
    let now = 1_000_000;
    const page = await startPage({ host: '127.0.0.1', port: 0, allow: ['172.30.32.2'], dashboard: new Dashboard({ discoveryPrefix: 'homeassistant', baseTopic: 'powermeter' }, []), logger: log.logger, now: () => now });
    const refusedLines = () => log.lines.filter((l) => l.includes('page: refused a connection'));
    try {
      const knock = () => call(`${page.url}api/state`, 'GET').then(() => 'answered', (e: Error) => e.message);
      const flood = async (n: number) => {
        for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, knock));
      };
      await flood(2000);
      await eventually(() => expect(refusedLines()).toHaveLength(1));
      expect(refusedLines()[0]).toMatch(/refused a connection from 127\.0\.0\.1 \(only Home Assistant's ingress may connect\)$/m);
      now += 59_000;
      await flood(100);
      now += 1000;
      await knock();
      await eventually(() => expect(refusedLines()).toHaveLength(2));
      expect(refusedLines()[1]).toMatch(/; 2099 more refused since the last line/);
    } finally {
      await page.close();
    }
  });
});

describe('the event stream', () => {
  it('drops a page that stopped reading once 1 MiB waits for it; a page that reads keeps every event', async () => {
    const rig = await startRig();
    try {
      // A client that sends its request and never reads: its socket's buffers fill, then the response's.
      const stuck = connect(Number(new URL(rig.url).port), '127.0.0.1');
      stuck.pause();
      stuck.write('GET /api/events HTTP/1.1\r\nHost: page\r\n\r\n');
      // A client that reads.
      let received = 0;
      let lastEvent = '';
      const reading = request(`${rig.url}api/events`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk.length;
          lastEvent = chunk;
        });
      });
      reading.end();
      await eventually(() => expect(rig.server.streams).toBe(2));
      const padding = 'x'.repeat(4000);
      let sent = 0;
      // 4 kB events until the stuck client is dropped, 100 MB at most (a bound, never reached).
      while (rig.server.streams === 2 && sent < 25_000) {
        for (let i = 0; i < 50; i++) rig.server.send({ type: 'broker', broker: { connected: true, detail: `${sent++} ${padding}` } });
        await yieldToIo();
      }
      expect(rig.server.streams).toBe(1);
      const dropped = rig.log.lines.find((l) => l.includes("dropped a page's event stream"));
      expect(dropped).toMatch(/\((\d+) kB unread\)/);
      const unread = Number(/\((\d+) kB unread\)/.exec(dropped ?? '')?.[1]);
      expect(unread).toBeGreaterThan(1024);
      expect(unread).toBeLessThan(1100);
      // The reading client got every event, the last one included.
      rig.server.send({ type: 'broker', broker: { connected: true, detail: 'the last' } });
      await eventually(() => expect(lastEvent).toContain('"detail":"the last"'));
      expect(received).toBeGreaterThan(sent * 4000);
      console.log(`event stream: the stuck page was dropped after ${sent} events of 4 kB (${Math.round((sent * 4) / 1024)} MB sent), with ${unread} kB unread`);
      stuck.destroy();
      reading.destroy();
    } finally {
      await rig.close();
    }
  });

  it('says hello at once with its heartbeat, then beats', async () => {
    const rig = await startRig({ page: { heartbeatMs: 200 } });
    try {
      const events: string[] = [];
      const req = request(`${rig.url}api/events`, (res) => {
        res.setEncoding('utf8');
        readEvents(res, (data) => events.push(data));
      });
      req.end();
      await eventually(() => expect(events.filter((e) => e.includes('"heartbeat"')).length).toBeGreaterThanOrEqual(2));
      expect(JSON.parse(events[0]!.slice(6))).toEqual({ type: 'hello', at: rig.now(), heartbeatMs: 200 });
      req.destroy();
    } finally {
      await rig.close();
    }
  });
});

describe('the serial ports the container sees', () => {
  const dev = () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-dev-'));
    for (const name of ['ttyUSB1', 'ttyUSB0', 'ttyACM0', 'ttyAMA0', 'ttyS10', 'ttyS1', 'ttyS0', 'tty', 'tty1', 'null', 'ttyUSB']) writeFileSync(join(dir, name), '');
    return dir;
  };

  it('lists the by-id names first, with their devices, then the devices: USB, ACM, AMA, then the board’s UARTs', async () => {
    const dir = dev();
    mkdirSync(join(dir, 'serial', 'by-id'), { recursive: true });
    symlinkSync('../../ttyUSB1', join(dir, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'));
    symlinkSync('../../ttyACM0', join(dir, 'serial', 'by-id', 'usb-Silicon_Labs_CP2102_0001-if00-port0'));
    expect(await listSerialPorts(dir)).toEqual({
      ports: [
        { path: '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0', device: '/dev/ttyUSB1', kind: 'by-id' },
        { path: '/dev/serial/by-id/usb-Silicon_Labs_CP2102_0001-if00-port0', device: '/dev/ttyACM0', kind: 'by-id' },
        { path: '/dev/ttyUSB0', device: null, kind: 'usb' },
        { path: '/dev/ttyUSB1', device: null, kind: 'usb' },
        { path: '/dev/ttyACM0', device: null, kind: 'acm' },
        { path: '/dev/ttyAMA0', device: null, kind: 'ama' },
        { path: '/dev/ttyS0', device: null, kind: 'uart' },
        { path: '/dev/ttyS1', device: null, kind: 'uart' },
        { path: '/dev/ttyS10', device: null, kind: 'uart' },
      ],
      error: null,
    });
  });

  it('without /dev/serial (no adapter plugged in): the devices; an unreadable /dev: the reason, never a throw', async () => {
    expect((await listSerialPorts(dev())).ports.map((p) => p.path)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyACM0', '/dev/ttyAMA0', '/dev/ttyS0', '/dev/ttyS1', '/dev/ttyS10']);
    const gone = join(tmpdir(), 'powermeter-no-such-dev');
    expect(await listSerialPorts(gone)).toEqual({ ports: [], error: `${gone}: ENOENT` });
  });

  it('are served as api/serial-ports, from the directory the server is given', async () => {
    const dir = dev();
    const rig = await startRig({ page: { devDirectory: dir } });
    try {
      const answer = json<SerialPortsAnswer>(await call(`${rig.url}api/serial-ports`, 'GET'));
      expect(answer.ports[0]).toEqual({ path: '/dev/ttyUSB0', device: null, kind: 'usb' });
      expect(answer.error).toBeNull();
    } finally {
      await rig.close();
    }
  });
});

describe('the energy history the page draws', () => {
  it('until the service keeps one: the closed hours and days of the accounting messages, a period begun before the first frame partial', async () => {
    // 10:20 Copenhagen summer time: the first hour began well before the first frame.
    const rig = await startRig({ start: Date.UTC(2026, 5, 15, 8, 20, 5) });
    try {
      rig.run(3 * 3_600_000);
      const state = json<PageState>(await call(`${rig.url}api/state`, 'GET'));
      const { hours, days } = state.meters[0]!.history;
      expect(hours.map((h) => new Date(h.start).toISOString())).toEqual(['2026-06-15T08:00:00.000Z', '2026-06-15T09:00:00.000Z', '2026-06-15T10:00:00.000Z']);
      expect(hours.map((h) => h.partial ?? false)).toEqual([true, false, false]);
      expect(days).toEqual([]);
      // Each hour's energy is what Home Assistant got as "last hour" when it closed.
      const imported = hours.map((h) => h.import ?? 0);
      expect(imported.every((kwh) => kwh > 0.5 && kwh < 3)).toBe(true);
    } finally {
      await rig.close();
    }
  });

  it('from the service when it keeps one: its last 48 hours and 31 days, sent again when an hour closes', async () => {
    const hour = 3_600_000;
    const end = Date.UTC(2026, 5, 15, 8);
    const kept: MeterHistory = {
      hours: Array.from({ length: 60 }, (_, i) => ({ start: end - (60 - i) * hour, import: i / 10, export: 0 })),
      days: Array.from({ length: 40 }, (_, i) => ({ start: end - (40 - i) * 24 * hour, import: i, export: null, ...(i === 0 ? { partial: true } : {}) })),
    };
    const asked: string[] = [];
    const rig = await startRig({ start: end + 5000, history: (id) => (asked.push(id), kept) });
    try {
      const events: string[] = [];
      const req = request(`${rig.url}api/events`, (res) => {
        res.setEncoding('utf8');
        readEvents(res, (data) => {
          if (data.includes('"history"')) events.push(data);
        });
      });
      req.end();
      await eventually(() => expect(rig.server.streams).toBe(1));
      rig.run(hour + 20_000);
      const state = json<PageState>(await call(`${rig.url}api/state`, 'GET'));
      const { hours, days } = state.meters[0]!.history;
      expect(hours).toEqual(kept.hours.slice(-48));
      expect(days).toEqual(kept.days.slice(-31));
      expect(asked.every((id) => id === '57000001')).toBe(true);
      await eventually(() => expect(events.length).toBeGreaterThanOrEqual(1));
      expect(JSON.parse(events[0]!.slice(6))).toEqual({ type: 'history', meter: '57000001', history: { hours: kept.hours.slice(-48), days: kept.days.slice(-31) } });
      req.destroy();
    } finally {
      await rig.close();
    }
  });
});
