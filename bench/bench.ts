import { spawnSync } from 'node:child_process';
import { benchDecode, benchDecodeCommand } from './decode.js';
import { nodeFlags } from './flags.js';

/**
 * `npm run bench` runs every part; `npm run bench -- decode`, `-- service`, `-- floor`, `-- fleet`, `-- p1` or `-- page`
 * runs one. `-- service` measures the service against the floor (floor.ts, versus.ts) in one run; `-- service jit` runs
 * the service with the add-on's flags but a JIT (the floor keeps them). `npm run bench -- compare OTHER_CHECKOUT`
 * compares this decoder with another build under the add-on's flags. The fleet takes `-- fleet METERS SECONDS`
 * (1000 meters for 180 s by default), and `-- fleet METERS SECONDS jit` runs it with the add-on's flags but a JIT.
 */
const only = process.argv[2];
const withoutJitless = nodeFlags.filter((f) => f !== '--jitless');
if (only === 'compare') {
  const run = spawnSync(process.execPath, [...nodeFlags, new URL('./compare.js', import.meta.url).pathname, process.argv[3] ?? ''], { encoding: 'utf8' });
  process.stdout.write(run.stdout + run.stderr);
  process.exit(run.status ?? 1);
}
console.log('PowerMeter benchmark (Node.js %s, %s)\n', process.version, process.arch);
if (only === undefined || only === 'decode') {
  console.log('Decode pipeline, Danish Kamstrup 491-byte frame, with a JIT:');
  const { bare } = benchDecode();
  console.log(`\nThe same under the add-on's Node flags (${nodeFlags.join(' ')}):`);
  const flagged = spawnSync(process.execPath, [...nodeFlags, new URL('./decode-flags.js', import.meta.url).pathname], { encoding: 'utf8' });
  process.stdout.write(flagged.stdout + flagged.stderr);
  console.log('');
  await benchDecodeCommand(20_000, bare);
}
if (only === undefined || only === 'service') {
  const jit = process.argv[3] === 'jit';
  console.log(`\nService (powermeter run) against the floor, Node flags ${(jit ? withoutJitless : nodeFlags).join(' ')} (the floor: ${nodeFlags.join(' ')}):`);
  const { benchService } = await import('./service.js');
  await benchService(jit ? withoutJitless : undefined);
}
if (only === 'floor') {
  console.log(`\nThe floor (bench/floor.ts), Node flags ${nodeFlags.join(' ')}:`);
  const { benchFloor } = await import('./service.js');
  await benchFloor();
}
if (only === undefined || only === 'fleet') {
  console.log('\nA fleet of bridges publishing raw frames on MQTT, one service (powermeter run) reading them all:');
  const jit = process.argv[5] === 'jit';
  // Loaded only when run: the page's bench brings a browser driver, loaded into this process it lowered the measured decode rate by a fifth.
  const { benchFleet } = await import('./fleet.js');
  await benchFleet(Number(process.argv[3] ?? 1000), Number(process.argv[4] ?? 180), jit ? withoutJitless : nodeFlags);
}
if (only === undefined || only === 'p1') {
  console.log('\nP1 (DSMR): telegrams per second beside the peers, and the service reading a meter that sends every second:');
  const { benchP1 } = await import('./p1.js');
  await benchP1(Number(process.argv[3] ?? 60));
}
if (only === undefined || only === 'page') {
  console.log('\nThe page: what it costs the service (`-- page SECONDS`, 600 by default):');
  const { benchPage } = await import('./page.js');
  await benchPage(Number(process.argv[3] ?? 600));
}
