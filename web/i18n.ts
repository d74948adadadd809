// The page's language: the browser's first language the page speaks (Danish, German, Norwegian, Swedish, English),
// set on <html lang> so that screen readers and hyphenation follow; numbers, times and plot axes in its locale.
import { da } from './i18n/da.data.js';
import { de } from './i18n/de.data.js';
import { en } from './i18n/en.data.js';
import { nb } from './i18n/nb.data.js';
import { sv } from './i18n/sv.data.js';
import type { Strings } from './i18n/strings.js';

export const languages: Readonly<Record<string, Strings>> = { en, da, de, nb, sv };

/** The page's language for the browser's preferences: Norwegian in any of its tags is bokmål. */
export function pickLanguage(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    const lang = base === 'no' || base === 'nn' ? 'nb' : base;
    if (lang in languages) return lang;
  }
  return 'en';
}

export const lang = pickLanguage(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
/** The words of the page's language. */
export const t: Strings = languages[lang] ?? en;
/** The locale for numbers and times: the browser's own tag when it is of the page's language (da-DK, de-AT …). */
export const locale = navigator.languages.find((tag) => pickLanguage([tag]) === lang) ?? lang;

/** A string with its `{name}` places filled in. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A string by its path (`frames.heading`), for the static page's `data-i18n` attributes. */
function lookup(path: string): string | null {
  let at: unknown = t;
  for (const part of path.split('.')) at = typeof at === 'object' && at !== null ? (Reflect.get(at, part) as unknown) : undefined;
  return typeof at === 'string' ? at : null;
}

/** Puts the page's language on the static HTML: `lang`, and every `data-i18n` text (`data-i18n-label` for aria-label). */
export function translatePage(): void {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll<HTMLElement>('[data-i18n]')) e.textContent = lookup(e.dataset.i18n ?? '') ?? e.textContent;
  for (const e of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) e.setAttribute('aria-label', lookup(e.dataset.i18nLabel ?? '') ?? '');
}
