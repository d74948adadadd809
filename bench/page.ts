import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedMeter } from '../src/simulator/meter.js';
import { chromium, type Browser } from 'playwright-core';
import { danishKeys as keys } from './danish.js';
import { nodeFlags } from './flags.js';
import { Bridge, sendInChunks } from './line.js';
import { freePort, Mosquitto } from './mosquitto.js';
import { prng, rssMb, sleep } from './proc.js';

/** Debian's Chromium (`apt-get install chromium`), or POWERMETER_CHROMIUM, driven by playwright-core. */
async function launchBrowser(): Promise<Browser> {
  const path = process.env.POWERMETER_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (path === undefined) throw new Error('Chromium is not installed: apt-get install chromium (or set POWERMETER_CHROMIUM)');
  return chromium.launch({ executablePath: path, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

const random = prng(30);


interface Instance {
  readonly name: string;
  readonly child: ChildProcess;
  readonly meter: Bridge;
  readonly sim: SimulatedMeter;
  readonly url: string | null;
}

/** `powermeter run` as the add-on runs it (its Node flags), reading a TCP bridge, with or without its page. */
async function instance(name: string, broker: Mosquitto, page: boolean): Promise<Instance> {
  const meter = await Bridge.start();
  const dir = mkdtempSync(join(tmpdir(), 'powermeter-page-bench-'));
  const options = join(dir, 'options.json');
  writeFileSync(options, JSON.stringify({ source: 'tcp', tcp_host: '127.0.0.1', tcp_port: meter.port, mqtt_url: broker.url, encryption_key: keys.encryption.toString('hex'), authentication_key: keys.authentication.toString('hex'), base_topic: `bench-${name}`, log_level: 'warning' }));
  const port = page ? await freePort() : 0;
  const cli = new URL('../app/powermeter.js', import.meta.url).pathname;
  const args = [...nodeFlags, cli, 'run', '--options', options, ...(page ? ['--http', `127.0.0.1:${port}`] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, POWERMETER_STATE_DIR: dir } });
  await meter.connected();
  return { name, child, meter, sim: new SimulatedMeter(57_000_100, keys), url: page ? `http://127.0.0.1:${port}/` : null };
}

/** The page's own files, as served: what a browser downloads once. */
function pageWeight(): string {
  const root = new URL('../../', import.meta.url).pathname;
  const files = ['web/index.html', 'web/style.css', 'dist/web/app.js', 'node_modules/uplot/dist/uPlot.iife.min.js', 'node_modules/uplot/dist/uPlot.min.css'];
  const sizes = files.map((f) => statSync(join(root, f)).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  return `the page's files: ${(total / 1024).toFixed(1)} kB in all (${files.map((f, i) => `${f.split('/').at(-1)} ${(sizes[i]! / 1024).toFixed(1)} kB`).join(', ')})`;
}

/**
 * What the page costs the service: three services side by side for `seconds`, each reading its own meter at one frame
 * per 10 s: without the page, with the page and no browser, and with the page open in Chromium all along. Prints the
 * resident memory of each at the end, and the largest seen.
 */
export async function benchPage(seconds = 600): Promise<void> {
  console.log(pageWeight());
  const broker = await Mosquitto.start();
  const all = [await instance('no-page', broker, false), await instance('page-closed', broker, true), await instance('page-open', broker, true)];
  const browser = await launchBrowser();
  const open = all[2]!;
  const tab = await browser.newPage();
  // The service listens once it has started: try until the page answers.
  for (let i = 0; ; i++) {
    try {
      await tab.goto(open.url!);
      break;
    } catch (error) {
      if (i > 50) throw error;
      await sleep(200);
    }
  }
  const max = new Map(all.map((s) => [s.name, 0]));
  let t = Date.now();
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    t += 10_000;
    for (const s of all) await sendInChunks(s.meter, s.sim.frame(new Date(t), 10), random);
    for (const s of all) max.set(s.name, Math.max(max.get(s.name) ?? 0, rssMb(s.child.pid!)));
    await sleep(10_000);
  }
  const points = await tab.locator('[data-plot="power"]').first().getAttribute('data-points');
  const end = all.map((s) => `${s.name} ${rssMb(s.child.pid!).toFixed(1)} MB (at most ${max.get(s.name)!.toFixed(1)})`);
  console.log(`resident memory after ${seconds} s at 1 frame/10 s, flags ${nodeFlags.join(' ')}: ${end.join('; ')}; the open page's power plot had ${points ?? '?'} points`);
  await browser.close();
  for (const s of all) {
    s.child.kill('SIGTERM');
    await new Promise((r) => s.child.once('exit', r));
    await s.meter.close();
  }
  await broker.stop();
}
