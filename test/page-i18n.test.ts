import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outcomeDetail } from '../src/core/intake.js';
import type { FrameProblem } from '../src/base/errors.js';
import { da } from '../web/i18n/da.data.js';
import { de } from '../web/i18n/de.data.js';
import { en } from '../web/i18n/en.data.js';
import { nb } from '../web/i18n/nb.data.js';
import { sv } from '../web/i18n/sv.data.js';
import { readYaml, root } from './support/addon.js';

const languages = { en, da, de, nb, sv };

/** Every string of a language, by its path: `frames.heading` → "Frame log". */
function leaves(tree: unknown, at = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof tree === 'string') out.set(at, tree);
  else if (typeof tree === 'object' && tree !== null) for (const [k, v] of Object.entries(tree)) for (const [p, s] of leaves(v, at ? `${at}.${k}` : k)) out.set(p, s);
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the page in English, Danish, German, Norwegian and Swedish', () => {
  const english = leaves(en);

  it.each(Object.entries(languages))('%s has every string of the English page, with the same placeholders, and nothing else', (lang, words) => {
    const strings = leaves(words);
    expect([...strings.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [path, text] of english) {
      const translated = strings.get(path) ?? '';
      expect(translated.trim(), `${lang} ${path}`).not.toBe('');
      expect(placeholders(translated), `${lang} ${path}`).toEqual(placeholders(text));
    }
  });

  it('is translated, not copied: most strings differ from the English ones', () => {
    for (const [lang, strings] of Object.entries(languages)) {
      if (lang === 'en') continue;
      const same = [...leaves(strings)].filter(([path, text]) => english.get(path) === text).map(([path]) => path);
      // Words that are the same in both (Live, Bytes, Phase, Fase …) are few.
      expect(same.length, `${lang}: ${same.join(', ')}`).toBeLessThan(8);
    }
  });

  it('names the key fields and the serial port as the options form does (translations/*.yaml)', () => {
    for (const [lang, strings] of Object.entries(languages)) {
      const options = readYaml(`translations/${lang}.yaml`).configuration as Record<string, { name: string }>;
      expect(strings.keyCheck.encryptionKey, lang).toBe(options.encryption_key?.name);
      expect(strings.keyCheck.authenticationKey, lang).toBe(options.authentication_key?.name);
      expect(strings.ports.intro, lang).toContain(options.serial_port?.name ?? '(missing)');
    }
  });

  it('keeps the English headings users know from the docs', () => {
    expect([en.frames.heading, en.keyCheck.heading, en.diagnostics.heading]).toEqual(['Frame log', 'Key check', 'Diagnostics']);
  });

  it('words every verdict the service gives a frame (the key-related ones as the key check’s states)', () => {
    const problems: Record<FrameProblem, true> = { checksum: true, 'closing-flag': true, 'too-long': true, reassembly: true, incomplete: true };
    const decodeReasons = [...Object.keys(problems), 'unsupported-security', 'malformed-apdu', 'unsupported-list'];
    for (const verdict of [...Object.keys(outcomeDetail), ...decodeReasons]) expect(Object.keys(en.verdicts), verdict).toContain(verdict);
    for (const key of ['key_missing', 'wrong_authentication_key', 'wrong_encryption_key'] as const) expect(en.security[key].word).toMatch(/^[A-Z][a-z ]+$/);
  });

  it('has a string for every text the static page marks for translation', () => {
    const html = readFileSync(`${root}web/index.html`, 'utf8');
    const marked = [...html.matchAll(/data-i18n="([\w.]+)"/g)].map((m) => m[1]!);
    expect(marked.length).toBeGreaterThan(15);
    for (const path of marked) expect(english.has(path), path).toBe(true);
  });
});
