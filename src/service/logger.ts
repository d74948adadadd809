import { createRequire } from 'node:module';
import type { LogFn, Logger } from '../base/log.js';
import type { LogLevel } from './options.js';

export type { Logger };

/** pino's numbers for its levels (node_modules/pino/lib/constants.js). */
const numbers = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Method = keyof typeof numbers;

const levels: Record<LogLevel, Method> = { trace: 'trace', debug: 'debug', info: 'info', warning: 'warn', error: 'error' };
const names: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'FATAL' };

/**
 * The longest field and message a line holds: a value a stranger chose (a topic, a host name from a file the
 * Supervisor did not write) must not fill the log. What is cut is said, with how much.
 */
const FIELD_LIMIT = 200;
const MESSAGE_LIMIT = 2000;

export function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

/**
 * Readable lines for the add-on's log tab: `2026-11-23T20:10:00.000Z INFO message key=value`. pino still
 * does the level filtering and serialisation; this only lays out its JSON, synchronously.
 */
export function textDestination(write: (line: string) => void): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      const { time, level, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(chunk) as Record<string, unknown>;
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${cut(typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v), FIELD_LIMIT)}`)
        .join(' ');
      write(`${String(time)} ${names[level as number] ?? String(level)} ${cut(typeof msg === 'string' ? msg : JSON.stringify(msg ?? ''), MESSAGE_LIMIT)}${fields ? ` ${fields}` : ''}\n`);
    },
  };
}

/**
 * Secrets never reach a log line because nothing logs the options; the redaction is the second lock on
 * the door, in case a future line does.
 */
const redact = ['encryption_key', 'authentication_key', 'mqtt_password', 'password', 'keys', '*.encryption_key', '*.authentication_key', '*.mqtt_password', '*.password', '*.keys'];

/**
 * The service's logger. With `loadAfterMs`, pino (CommonJS, loaded with require) is loaded that long after the start,
 * not before the first state: under the add-on's flags pino and what it loads (worker_threads, sonic-boom, assert)
 * are 16–20 ms of a cold start of ~270 ms (issue #30). Lines said before are held, in order, and written with the time
 * they were said once it is loaded, or at once when the process ends first (`exit`, which an uncaught error emits too).
 * Without it (the tests, the demo) pino is loaded at once.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l), loadAfterMs: number | null = null): Logger {
  let saidAt: number | null = null;
  const make = (): Logger => {
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    // pino's isoTime, but for a held line: the time it was said.
    const timestamp = () => `,"time":"${new Date(saidAt ?? Date.now()).toISOString()}"`;
    return pino({ level: levels[level], redact, timestamp, base: undefined }, textDestination(write));
  };
  if (loadAfterMs === null) return make();
  return heldUntilLoaded(numbers[levels[level]], loadAfterMs, make, (at) => (saidAt = at));
}

/** At most this many lines are held before pino is loaded; past it they are counted and the count said. */
const HOLD_LIMIT = 1000;

function heldUntilLoaded(threshold: number, loadAfterMs: number, make: () => Logger, saying: (at: number | null) => void): Logger {
  let real: Logger | null = null;
  const held: { method: Method; fields: object | string; message: string | undefined; at: number }[] = [];
  let dropped = 0;
  const load = (): Logger => {
    if (real) return real;
    real = make();
    for (const line of held) {
      saying(line.at);
      say(real, line.method, line.fields, line.message);
    }
    saying(null);
    if (dropped > 0) real.warn(`${dropped} log lines of the first ${loadAfterMs} ms were left out (more than ${HOLD_LIMIT})`);
    held.length = 0;
    clearTimeout(timer);
    process.off('exit', load);
    return real;
  };
  const timer = setTimeout(load, loadAfterMs);
  timer.unref();
  process.once('exit', load);
  const method =
    (m: Method): LogFn =>
    (fields: object | string, message?: string) => {
      if (numbers[m] < threshold) return;
      if (real) say(real, m, fields, message);
      else if (held.length < HOLD_LIMIT) held.push({ method: m, fields, message, at: Date.now() });
      else dropped++;
    };
  return { trace: method('trace'), debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error'), fatal: method('fatal') };
}

function say(logger: Logger, m: Method, fields: object | string, message: string | undefined): void {
  if (typeof fields === 'string') logger[m](fields);
  else logger[m](fields, message);
}
