/** One level's method: a message, or fields and a message (pino's call shape). */
export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

/**
 * The logger that the edges (publisher, sources, capture recorder) write to. Its type lives here, below every layer
 * that uses it; `service/logger.ts` makes the real one (pino). The service core never logs: it says notices.
 */
export interface Logger {
  readonly trace: LogFn;
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly fatal: LogFn;
}
