import { createLogger } from '../../src/service/logger.js';

/** A real pino logger whose lines are kept for inspection (and searched for secrets). */
export function captureLogger(level: 'trace' | 'debug' | 'info' = 'debug'): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger(level, (l) => lines.push(l)), lines };
}
