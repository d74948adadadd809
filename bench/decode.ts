import { createDecipheriv } from 'node:crypto';
import { Decoder } from '../src/decode/decoder.js';
import { danishFrame as frame, danishKeys as keys } from './danish.js';
import { median } from './proc.js';

/** Runs `fn` for about `ms` milliseconds; returns calls per second. */
function round(fn: () => void, ms: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms * 1e6);
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

/**
 * The two rates in alternating short rounds, so that both see the same machine: on a shared 2-core machine a
 * neighbour's load comes and goes within seconds, and two back-to-back runs of a few seconds each could
 * measure different machines. Reports the median of each and the median of the per-round ratios.
 */
export function compare(seconds: number, a: () => void, b: () => void): { a: number; b: number; ratio: number } {
  for (let i = 0; i < 5000; i++) {
    a();
    b();
  } // warm up the JIT
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  const rounds = Math.max(4, Math.round((seconds * 1000) / 200));
  for (let i = 0; i < rounds; i++) {
    const ra = round(a, 100);
    const rb = round(b, 100);
    as.push(ra);
    bs.push(rb);
    ratios.push(ra / rb);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const line = (label: string, perSecond: number): void => {
  console.log(`${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} frames/s`);
};

export function benchDecode(seconds = 6): { full: number; bare: number; ratio: number } {
  const decoder = new Decoder({ keys });
  let sink = 0;
  const decodeOne = () => {
    const r = decoder.push(frame)[0];
    if (!r?.ok) throw new Error('the benchmark frame did not decode');
    sink += r.frame.readings.length;
  };
  // Bare AES-128-GCM over the same payload: IV = system title ‖ frame counter, AAD = SC ‖ AK, 12-byte tag.
  const iv = Buffer.concat([frame.subarray(13, 21), frame.subarray(25, 29)]);
  const aad = Buffer.concat([frame.subarray(24, 25), keys.authentication]);
  const ciphertext = frame.subarray(29, frame.length - 3 - 12);
  const tag = frame.subarray(frame.length - 3 - 12, frame.length - 3);
  const decryptOne = () => {
    const d = createDecipheriv('aes-128-gcm', keys.encryption, iv, { authTagLength: 12 });
    d.setAAD(aad);
    d.setAuthTag(tag);
    sink += d.update(ciphertext).length;
    d.final();
  };
  const { a: full, b: bare, ratio } = compare(seconds, decodeOne, decryptOne);
  line('full decode (deframe, verify, decrypt, map)', full);
  line('bare AES-128-GCM decryption (node:crypto)', bare);
  // No fixed goal: the add-on runs without a JIT, where decoding must not get slower than the release before (compare
  // the two builds in one run); with a JIT, what users run is the decode command, measured below.
  console.log(`${'ratio full / bare (median of rounds)'.padEnd(44)} ${ratio.toFixed(2).padStart(10)}`);
  if (sink < 0) console.log(sink);
  return { full, bare, ratio };
}

/**
 * `powermeter decode` as users run it (its own process, with a JIT) on a capture of `frames` real Danish frames
 * (danish.ts: 491 bytes, 30 values; the one frame again and again, which the decode command takes as it comes), hex,
 * one per line, in five runs: wall time, peak memory (/usr/bin/time's maximum resident set), and the net rate (frames
 * over the wall time less the start-up, measured on a one-frame capture), beside bare AES-GCM's rate.
 */
export async function benchDecodeCommand(frames: number, bareRate: number): Promise<void> {
  const { spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'powermeter-decode-bench-'));
  const line = frame.toString('hex').toUpperCase();
  const big = path.join(dir, 'big.hex');
  const one = path.join(dir, 'one.hex');
  fs.writeFileSync(big, `${line}\n`.repeat(frames));
  fs.writeFileSync(one, `${line}\n`);
  const cli = new URL('../app/powermeter.js', import.meta.url).pathname;
  /**
   * One run: the wall time from the spawn to the process's exit, timed here (/usr/bin/time's %e counts in 10 ms, 2 % of
   * the net work), its output read as it comes and only its lines counted (holding 30 MB of JSON lines to count them
   * afterwards cost the bench more than the command); /usr/bin/time's %M is the peak memory.
   */
  const measure = async (file: string): Promise<{ seconds: number; peakMiB: number; lines: number }> => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %M', process.execPath, cli, 'decode', '--encryption-key', keys.encryption.toString('hex'), '--authentication-key', keys.authentication.toString('hex'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<{ at: number; code: number | null }>((resolve) => child.once('exit', (code) => resolve({ at: performance.now(), code })));
    // A run that hangs is stopped: 20 000 frames take under a second here.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    try {
      await new Promise<void>((resolve, reject) => child.once('close', () => resolve()).once('error', reject));
    } finally {
      clearTimeout(timer);
    }
    const { at, code } = await exited;
    const expected = file === one ? 1 : frames;
    // A run that failed (GNU time still prints its line then) or printed fewer lines would be timed as a fast one.
    if (code !== 0 || lines !== expected) throw new Error(`the decode command exited with ${String(code)} after ${lines} of ${expected} lines: ${stderr.slice(-300)}`);
    const m = /TIME (\d+)/.exec(stderr);
    if (!m) throw new Error(`/usr/bin/time said nothing: ${stderr.slice(-300)}`);
    return { seconds: (at - t0) / 1000, peakMiB: Number(m[1]) / 1024, lines };
  };
  // Start-ups and whole runs alternate, five of each, and the medians are taken: a neighbour's load on a shared
  // machine comes and goes within seconds, and one busy run moved the rate by a third.
  const startups: number[] = [];
  const runs: { seconds: number; peakMiB: number; lines: number }[] = [];
  for (let i = 0; i < 5; i++) {
    startups.push((await measure(one)).seconds);
    runs.push(await measure(big));
  }
  const startup = median(startups);
  // The run of the median time (its memory and lines with it).
  runs.sort((a, b) => a.seconds - b.seconds);
  const run = runs[Math.floor(runs.length / 2)]!;
  const peak = Math.max(...runs.map((r) => r.peakMiB));
  const net = frames / Math.max(0.001, run.seconds - startup);
  console.log(
    `decode command, ${frames} Danish frames (${((frames * (line.length + 1)) / 1024 / 1024).toFixed(1)} MiB of hex): ${run.seconds.toFixed(2)} s, peak ${run.peakMiB.toFixed(1)} MiB (the highest of five runs ${peak.toFixed(1)}; goal: under 64), ${run.lines} lines out; start-up ${startup.toFixed(2)} s\n` +
      `  net rate ${Math.round(net).toLocaleString('en-US')} frames/s = ${(net / bareRate).toFixed(3)} of bare AES-GCM (goal: at least 0.12)`,
  );
}
