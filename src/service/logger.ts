import { pino } from 'pino';
import type { Logger } from '../base/log.js';
import type { LogLevel } from './options.js';

export type { Logger };

const levels: Record<LogLevel, string> = { trace: 'trace', debug: 'debug', info: 'info', warning: 'warn', error: 'error' };
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

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  return pino({ level: levels[level], redact, timestamp: pino.stdTimeFunctions.isoTime, base: undefined }, textDestination(write));
}
