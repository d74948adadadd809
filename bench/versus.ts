import { Contender, type Kind } from './contender.js';
import { sendAtLineRate, sendInChunks, socat } from './line.js';
import { Mosquitto } from './mosquitto.js';
import { cpuNsMs, median, percentile, prng, rssMb, sleep } from './proc.js';

/**
 * The service against the floor (floor.ts), each in its own process with the add-on's Node flags, reading the same
 * Danish meter's frames and publishing to one Mosquitto; in alternating rounds of one run, so that both see the same
 * machine (on a shared 2-core machine a neighbour's load comes and goes within seconds). The figures of issue #30:
 *
 * - cold start: from spawning the process to its first state at a subscriber, the bridge sending a frame as soon as
 *   it is dialled (alternating, fresh processes, 8 each); the service also through the add-on's entry (addon.js, its
 *   page on), which is what the s6 run script starts;
 * - resident memory after 60 s at one frame every 2 s (both at once, their frames interleaved);
 * - idle: CPU per second with the bridge connected and no byte coming, from 20 s to 50 s after the last frame
 *   (both at once);
 * - CPU per frame at 10 frames/s over TCP in random chunks of 1–37 bytes (alternating rounds of 3 s, 20 each);
 * - CPU per frame of a serial-like feed, one frame every 10 s at 2400 baud, 4 bytes a read: over TCP (4 bytes a
 *   segment) and over a serial port (a socat pseudo-terminal, read through serialport), all four processes at once,
 *   their frames in turn, never two on the line together.
 *
 * CPU is every thread's time on a CPU (/proc/PID/task/TID/schedstat, ns), which includes what the process does
 * between frames: at the meter's pace, waking up is most of it.
 */
export interface VersusOptions {
  readonly kinds: readonly Kind[];
  /** The service's state size when the service is not run (`-- floor` alone). */
  readonly stateBytes: number;
  /** Node flags for the service instead of the add-on's (`-- service jit` runs it without --jitless). */
  readonly serviceFlags?: readonly string[];
  readonly seed?: number;
}

interface Figure {
  readonly name: string;
  readonly unit: string;
  readonly digits: number;
  /** Per contender, every round's value. */
  readonly values: Map<Kind, number[]>;
  /** Ratios of adjacent rounds (service / floor), when both ran. */
  readonly ratios?: number[];
  readonly goal: Goal;
}

/** A goal of issue #30: what the table says of it, and whether a run met it. */
interface Goal {
  readonly text: string;
  /**
   * From the service's median and the median ratio (undefined: no ratio to judge); null when the goal is a ratio and
   * there is none. Judged on the unrounded figures: a 1.2004 is over ≤ 1.2.
   */
  readonly met: (service: number, ratio: number | undefined) => boolean | null;
}

/** The service's figure at most `limit` times the floor's. */
const atMostFloor = (limit: number): Goal => ({ text: `≤ ${limit} × floor`, met: (_service, ratio) => (ratio === undefined ? null : ratio <= limit) });
/** The service's own figure at most `limit`. */
const atMost = (limit: number, unit: string): Goal => ({ text: `≤ ${limit} ${unit}`, met: (service) => service <= limit });
/** Both goals: missed when either is, unjudged when either cannot be judged. */
const both = (a: Goal, b: Goal): Goal => ({
  text: `${a.text} and ${b.text}`,
  met: (service, ratio) => {
    const x = a.met(service, ratio);
    const y = b.met(service, ratio);
    return x === false || y === false ? false : x === null || y === null ? null : true;
  },
});

/** Ratios are printed to three decimals: at two, a 1.204 read as 1.20 against a goal of ≤ 1.2. */
const RATIO_DIGITS = 3;

const range = (xs: readonly number[], digits: number): string => {
  if (xs.length === 0) return '—';
  const sorted = [...xs].sort((a, b) => a - b);
  const m = median(xs).toFixed(digits);
  return sorted.length === 1 ? m : `${m} (${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)})`;
};

/** Ratios of the i-th service round to the i-th floor round. */
const pairwise = (values: Map<Kind, number[]>): number[] | undefined => {
  const s = values.get('service');
  const f = values.get('floor');
  if (!s || !f) return undefined;
  return s.slice(0, f.length).map((v, i) => v / f[i]!);
};

export async function versus(options: VersusOptions): Promise<void> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const random = prng(seed);
  const { kinds } = options;
  const flagsOf = (kind: Kind) => (kind !== 'floor' && options.serviceFlags ? { flags: options.serviceFlags } : {});
  console.log(`(chunk sizes from seed ${seed}; ${kinds.join(' and ')}, Node ${process.version})`);
  const broker = await Mosquitto.start();
  let stateBytes = options.stateBytes;
  const figures: Figure[] = [];
  const each = <T>(f: (kind: Kind) => T): Map<Kind, T> => new Map(kinds.map((k) => [k, f(k)]));
  try {
    // --- cold start ---------------------------------------------------------------------------------------------
    // The service also as the add-on starts it (addon.js), in the same alternation.
    const coldKinds: readonly Kind[] = kinds.includes('service') ? [...kinds, 'addon'] : kinds;
    const cold = new Map(coldKinds.map((k): [Kind, number[]] => [k, []]));
    const stateSize = new Map(coldKinds.map((k): [Kind, number[]] => [k, []]));
    for (let round = 0; round < 8; round++) {
      for (const kind of coldKinds) {
        const c = await Contender.start(kind, broker, { line: 'tcp', stateBytes, frameOnConnect: true, ...flagsOf(kind) });
        await c.states.next(0, 30_000);
        cold.get(kind)!.push(c.states.times[0]! - c.spawnedAt);
        stateSize.get(kind)!.push(c.states.last.length);
        if (kind === 'service') stateBytes = c.states.last.length;
        await c.stop();
      }
    }
    console.log(`state message: ${kinds.map((k) => `${k} ${median(stateSize.get(k)!)} bytes`).join(', ')}`);
    figures.push({ name: 'cold start to first state', unit: 'ms', digits: 0, values: cold, ratios: pairwise(cold), goal: atMostFloor(1.3) });
    const addonCold = cold.get('addon');
    if (addonCold) {
      // In the service's column: the same service, started as the add-on starts it.
      const values = new Map<Kind, number[]>([
        ['service', addonCold],
        ['floor', cold.get('floor') ?? []],
      ]);
      figures.push({ name: "cold start to first state, the add-on's entry (addon.js, its page on)", unit: 'ms', digits: 0, values, ratios: pairwise(values), goal: atMostFloor(1.3) });
    }

    // --- resident memory, then idle, then 10 frames/s: one process of each --------------------------------------
    const pair = await Promise.all(kinds.map((kind) => Contender.start(kind, broker, { line: 'tcp', stateBytes, ...flagsOf(kind) })));
    await Promise.all(pair.map((c) => c.ready()));
    const rssStart = Date.now();
    for (let slot = 0; Date.now() - rssStart < 60_000; slot++) {
      const c = pair[slot % pair.length]!;
      await sendInChunks(c.line, c.meter.frame(), random);
      await sleep(rssStart + ((slot + 1) * 2000) / pair.length - Date.now());
    }
    const rss = each((kind) => [rssMb(pair.find((c) => c.kind === kind)!.pid)]);
    figures.push({ name: 'resident memory after 60 s at 1 frame / 2 s', unit: 'MB', digits: 1, values: rss, ratios: pairwise(rss), goal: both(atMostFloor(1.1), atMost(56, 'MB')) });

    // The full hour closes the service's energy periods (a state, a save): time at work, not idleness. When it would
    // fall in the idle window, it is let pass first, and a frame sent after it.
    const hour = new Date();
    hour.setMinutes(60, 0, 0); // the next full hour of this process's zone, as the service's
    if (hour.getTime() - Date.now() < 60_000) {
      await sleep(hour.getTime() - Date.now() + 3000);
      for (const c of pair) await sendInChunks(c.line, c.meter.frame(), random);
    }
    // Idle once the last frame's aftermath is over (V8's memory reducer collects a few seconds after the allocations
    // stop, in the floor as in the service), and before the data timeout (60 s) makes the service redial.
    await sleep(20_000);
    const idle0 = pair.map((c) => cpuNsMs(c.pid));
    const idleStart = performance.now();
    await sleep(30_000);
    const idleSeconds = (performance.now() - idleStart) / 1000;
    const idle = each((kind) => {
      const i = pair.findIndex((c) => c.kind === kind);
      return [(cpuNsMs(pair[i]!.pid) - idle0[i]!) / idleSeconds];
    });
    figures.push({ name: 'idle: bridge connected, no bytes (30 s, from 20 s after the last frame)', unit: 'ms CPU/s', digits: 3, values: idle, goal: atMost(0.2, 'ms/s') });

    const ten = each((): number[] => []);
    const latency = each((): number[] => []);
    const tenRound = async (c: Contender, seconds: number, record: boolean) => {
      const frames = seconds * 10;
      const before = c.states.count;
      const cpu0 = cpuNsMs(c.pid);
      const sent: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < frames; i++) {
        await sleep(t0 + i * 100 - performance.now());
        sent.push(performance.now());
        await sendInChunks(c.line, c.meter.frame(), random);
      }
      await c.states.next(before + frames - 1, 10_000);
      const cpu = cpuNsMs(c.pid) - cpu0;
      if (!record) return;
      ten.get(c.kind)!.push(cpu / frames);
      latency.get(c.kind)!.push(...sent.map((at, i) => c.states.times[before + i]! - at));
    };
    for (const c of pair) await tenRound(c, 3, false); // warm-up
    // Short rounds, many: a neighbour's load on a shared machine comes and goes within seconds.
    for (let round = 0; round < 20; round++) for (const c of pair) await tenRound(c, 3, true);
    figures.push({ name: 'CPU per frame, 10 frames/s, TCP in random chunks', unit: 'ms', digits: 2, values: ten, ratios: pairwise(ten), goal: atMostFloor(1.2) });
    for (const [kind, l] of latency) {
      l.sort((a, b) => a - b);
      console.log(`${kind}: frame sent → its state at a subscriber, at 10 frames/s: median ${percentile(l, 50).toFixed(1)} ms, p99 ${percentile(l, 99).toFixed(1)} ms`);
    }
    await Promise.all(pair.map((c) => c.stop()));

    // --- serial-like feed: four processes, their frames in turn -----------------------------------------------
    const lines = socat ? (['tcp', 'serial'] as const) : (['tcp'] as const);
    if (!socat) console.log('socat is not installed (apt-get install socat): the serial port is left out');
    const four = await Promise.all(lines.flatMap((line) => kinds.map((kind) => Contender.start(kind, broker, { line, stateBytes, ...flagsOf(kind) }).then((c) => ({ c, line })))));
    await Promise.all(four.map(({ c }) => c.ready()));
    const marks = four.map((): number[] => []);
    const counts = four.map(({ c }) => c.states.count);
    const cycles = 7; // the first is a warm-up
    const phase = 10_000 / four.length;
    const start = performance.now();
    for (let cycle = 0; cycle < cycles; cycle++) {
      for (const [j, { c }] of four.entries()) {
        await sleep(start + cycle * 10_000 + j * phase - performance.now());
        marks[j]!.push(cpuNsMs(c.pid));
        await sendAtLineRate(c.line, c.meter.frame());
      }
    }
    await sleep(start + cycles * 10_000 - performance.now());
    four.forEach(({ c }, j) => marks[j]!.push(cpuNsMs(c.pid)));
    for (const line of lines) {
      const values = each((kind) => {
        const j = four.findIndex((x) => x.c.kind === kind && x.line === line);
        const published = four[j]!.c.states.count - counts[j]!;
        if (published < cycles) console.log(`${kind} over ${line}: ${published} states for ${cycles} frames`);
        return marks[j]!.slice(1).flatMap((m, k) => (k === 0 ? [] : [m - marks[j]![k]!]));
      });
      const name = line === 'tcp' ? 'CPU per frame, serial-like over TCP (1 frame / 10 s, 2400 baud, 4 bytes a segment)' : 'CPU per frame, serial port (pty, 1 frame / 10 s, 2400 baud, 4 bytes a read)';
      figures.push({ name, unit: 'ms', digits: 2, values, ratios: pairwise(values), goal: atMostFloor(1.2) });
    }
    await Promise.all(four.map(({ c }) => c.stop()));
  } finally {
    await broker.stop();
  }

  console.log('');
  const cols = kinds.length === 2 ? ['figure', 'service', 'floor', 'service / floor', 'goal', 'met'] : ['figure', kinds[0]!, 'goal', 'met'];
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`| --- |${cols.slice(1).map(() => ' ---: |').join('')}`);
  const missed: string[] = [];
  const judged = options.serviceFlags === undefined;
  for (const f of figures) {
    const cells = kinds.map((k) => `${range(f.values.get(k)!, f.digits)} ${f.unit}`);
    const ratio = f.ratios ? range(f.ratios, RATIO_DIGITS) : kinds.length === 2 ? '—' : null;
    // The goals are the service's under the add-on's flags: with `-- floor` alone, or the service under other flags
    // (`-- service jit`), the figures are only shown.
    const service = f.values.get('service');
    const met = service === undefined || !judged ? null : f.goal.met(median(service), f.ratios && f.ratios.length > 0 ? median(f.ratios) : undefined);
    if (met === false) missed.push(f.name);
    console.log(`| ${[f.name, ...cells, ...(ratio === null ? [] : [ratio]), f.goal.text, met === null ? '—' : met ? 'yes' : '**no**'].join(' | ')} |`);
  }
  console.log('(median of rounds, and the range; a ratio is the median of the rounds\' ratios, each round against the other\'s round of the same cycle)');
  if (kinds.includes('service') && judged) console.log(missed.length === 0 ? 'goals: every one met in this run' : `goals missed in this run: ${missed.join('; ')}`);
}
