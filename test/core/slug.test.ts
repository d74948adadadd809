import { describe, expect, it } from 'vitest';
import { slug } from '../../src/ha/discovery.js';

describe('a meter id as a topic and entity id', () => {
  it('is lower case letters, digits and single underscores, the same on every call, past the bound of remembered ids', () => {
    expect(slug('5706567282299475')).toBe('5706567282299475');
    expect(slug('1KFM0200169986')).toBe('1kfm0200169986');
    expect(slug(' Kaifa / MA304H4 ')).toBe('kaifa_ma304h4');
    expect(slug('--')).toBe('meter');
    // 5 000 ids fill and clear the memory of slugs (4 096) once: each still comes out as it did the first time.
    for (let i = 0; i < 5000; i++) expect(slug(`Meter #${i}`)).toBe(`meter_${i}`);
    expect(slug('1KFM0200169986')).toBe('1kfm0200169986');
  });
});
