import { readdirSync, readFileSync } from 'node:fs';

/** What the benchmarks read of a process they started, from /proc, and the small helpers they share. */

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time the process has used, user and system, in ms: fields 14 and 15 of /proc/PID/stat, in clock ticks. */
export function cpuMs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 }; // USER_HZ is 100 on Linux
}

/**
 * CPU time of all the process's threads, in ms, to the nanosecond: the first field of each thread's
 * /proc/PID/task/TID/schedstat (time spent on a CPU, ns). /proc/PID/stat counts in 10 ms ticks, too coarse for a
 * process that uses 1 ms per frame or 0.1 ms per second; Node's threads (V8's platform workers, libuv's pool) live
 * as long as the process, so none of them is lost from the sum.
 */
export function cpuNsMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

/** The p-th percentile of sorted numbers; NaN when there are none. */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export const median = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded: the random chunk sizes of a run can be replayed from the seed it prints. */
export { prng } from '../rig/prng.js';
