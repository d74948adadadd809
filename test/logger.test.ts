import { describe, expect, it } from 'vitest';
import { createLogger, cut } from '../src/service/logger.js';

describe('the log', () => {
  it('writes one readable line per entry, with fields, and cuts a value a stranger chose to a bounded length', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info({ source: `tcp ${'h'.repeat(10_000)}:6638` }, 'starting');
    log.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z INFO starting source="tcp h{195}… \(9811 more characters\)\n$/);
    expect(lines[0]!.length).toBeLessThan(300);
    expect(cut('short', 10)).toBe('short');
  });

  it('never writes a key or a password, even if a line carried one', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    log.info({ encryption_key: '5AD84121D9D20B364B7A11F3C1B5827F', options: { mqtt_password: 'hunter2' } }, 'options');
    expect(lines.join('')).not.toMatch(/5AD84121|hunter2/);
  });
});
