import type { Logger as PinoLogger } from 'pino';

/**
 * The logger that the edges (publisher, sources, capture recorder) write to. Its type lives here, below every layer
 * that uses it; `service/logger.ts` makes the real one. The service core never logs: it says notices.
 */
export type Logger = PinoLogger;
