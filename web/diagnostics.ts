// The diagnostics in words (one vocabulary: web/i18n/), and what the meter area says when frames come but no values:
// which key is wrong, keys missing, bytes but no frames, no bytes.
import type { PageState, SecurityWord } from '../src/page/contract.js';
import { byId, el } from './dom.js';
import { count, dateTime, drift, duration } from './format.js';
import { fill, t } from './i18n.js';

export type Tone = 'good' | 'warn' | 'bad' | '';

const tones: Readonly<Record<SecurityWord, Tone>> = {
  authenticated: 'good',
  encryption_only: 'good',
  not_encrypted: 'good',
  not_authenticated: 'warn',
  keys_swapped: 'warn',
  wrong_authentication_key: 'bad',
  wrong_encryption_key: 'bad',
  key_missing: 'bad',
  no_frames: 'bad',
  no_data: 'bad',
};

export const isSecurityWord = (v: unknown): v is SecurityWord => typeof v === 'string' && v in t.security;
export const securityTone = (v: SecurityWord): Tone => tones[v];

/** A source's diagnostics, read from the message by its suffix. */
function sourceView(page: PageState, suffix: string) {
  const d = page.diagnostics;
  const security = d[`security${suffix}`];
  return {
    security: isSecurityWord(security) ? security : null,
    problem: d[`problem${suffix}`] === 'ON',
    sourceState: d[`source_state${suffix}`],
    field: (name: string): unknown => d[`${name}${suffix}`],
  };
}

/**
 * What the meter area says: for each source whose frames give no values, why (in the key check's words, with what
 * to do); while nothing is known yet, that the page waits for the first frame. Nothing when all is well.
 */
export function renderMeterStatus(page: PageState): void {
  const box = byId('meter-status', HTMLElement);
  const several = page.sources.length > 1;
  const messages: HTMLElement[] = [];
  for (const s of page.sources) {
    const v = sourceView(page, s.suffix);
    if (v.security === null || securityTone(v.security) === 'good') continue;
    // At start, before data_timeout, no_data means only "nothing yet".
    if (v.security === 'no_data' && !v.problem) {
      if (page.meters.length === 0) messages.push(el('p', { class: 'empty', 'data-state': 'waiting' }, t.meter.waiting));
      continue;
    }
    const words = t.security[v.security];
    const tone = securityTone(v.security);
    messages.push(el('p', { class: `notice ${tone}`, 'data-state': v.security }, el('strong', {}, several ? `${s.name}: ${words.word}` : words.word), ' ', words.advice));
  }
  box.replaceChildren(...messages);
}

function cell(text: string, tone: Tone, field: string, state?: string): HTMLTableCellElement {
  return el('td', { class: tone, 'data-field': field, ...(state === undefined ? {} : { 'data-state': state }) }, text);
}

export function renderDiagnostics(page: PageState): void {
  const table = byId('diag', HTMLTableElement);
  const several = page.sources.length > 1;
  const head = el('tr', {}, el('td', {}), ...page.sources.map((s) => el('th', { scope: 'col' }, several ? s.name : t.diagnostics.meter)));
  const row = (name: string, value: (v: ReturnType<typeof sourceView>, suffix: string) => HTMLTableCellElement) =>
    el('tr', {}, el('th', { scope: 'row' }, name), ...page.sources.map((s) => value(sourceView(page, s.suffix), s.suffix)));
  const number = (field: string) => (v: ReturnType<typeof sourceView>, suffix: string) => {
    const n = v.field(field);
    return cell(typeof n === 'number' ? count(n) : '–', '', `${field}${suffix}`);
  };
  const body = el(
    'tbody',
    {},
    row(t.diagnostics.source, (_v, suffix) => cell(page.sources.find((s) => s.suffix === suffix)?.name ?? '', '', `source${suffix}`)),
    row(t.diagnostics.connection, (v, suffix) => {
      const state = v.sourceState;
      const word = state === 'connecting' || state === 'connected' || state === 'disconnected' ? t.sourceStates[state] : '–';
      return cell(word, state === 'connected' ? 'good' : state === 'disconnected' ? 'bad' : '', `source_state${suffix}`, typeof state === 'string' ? state : undefined);
    }),
    row(t.diagnostics.keyCheck, (v, suffix) => (v.security === null ? cell('–', '', `security${suffix}`) : cell(t.security[v.security].word, securityTone(v.security), `security${suffix}`, v.security))),
    row(t.diagnostics.framesDecoded, number('frames_decoded')),
    row(t.diagnostics.checksumErrors, number('checksum_errors')),
    row(t.diagnostics.authenticationFailures, number('authentication_failures')),
    row(t.diagnostics.sinceLastFrame, (v, suffix) => {
      const s = v.field('seconds_since_last_frame');
      return cell(typeof s === 'number' ? duration(s) : '–', '', `seconds_since_last_frame${suffix}`);
    }),
    // The problem sensor, positively: whether data comes from the meter (ON means it does not).
    row(t.diagnostics.meterData, (v, suffix) => {
      const known = v.field('problem') === 'ON' || v.field('problem') === 'OFF';
      return cell(known ? (v.problem ? t.diagnostics.dataMissing : t.diagnostics.dataArriving) : '–', known ? (v.problem ? 'bad' : 'good') : '', `problem${suffix}`, known ? (v.problem ? 'ON' : 'OFF') : undefined);
    }),
  );
  const clocks = el('tbody');
  for (const m of page.meters) {
    const value = (key: string) => m.readings.find((r) => r.key === key)?.value;
    const clock = value('meter_time');
    const at = typeof clock === 'string' ? Date.parse(clock) : NaN;
    const offset = value('clock_drift');
    if (Number.isFinite(at)) clocks.append(el('tr', {}, el('th', { scope: 'row' }, fill(t.diagnostics.meterClock, { meter: m.name })), el('td', { colspan: String(page.sources.length), 'data-clock': m.id }, dateTime(at))));
    if (typeof offset === 'number') clocks.append(el('tr', {}, el('th', { scope: 'row' }, fill(t.diagnostics.clockDrift, { meter: m.name })), el('td', { colspan: String(page.sources.length), 'data-drift': m.id }, drift(offset))));
  }
  table.replaceChildren(el('thead', {}, head), body, clocks);
}

export type Liveness = 'loading' | 'live' | 'polling' | 'offline';

/** The two pills of the header: whether the page hears the service, and whether the service has its broker. */
export function renderPills(page: PageState | null, liveness: Liveness, pollSeconds: number): void {
  const service = byId('liveness', HTMLElement);
  const words: Record<Liveness, string> = { loading: page === null ? t.page.loading : t.page.connecting, live: t.page.live, polling: fill(t.page.polling, { seconds: pollSeconds }), offline: t.page.offline };
  service.textContent = words[liveness];
  service.className = `pill ${liveness === 'live' ? 'good' : liveness === 'offline' ? 'bad' : liveness === 'polling' ? 'warn' : ''}`;
  document.body.dataset.liveness = liveness;
  const broker = byId('broker', HTMLElement);
  // A broker state heard before the service went away is not news: unknown until it answers again.
  if (page === null || liveness === 'offline' || liveness === 'loading') {
    broker.textContent = t.page.brokerUnknown;
    broker.className = 'pill';
    return;
  }
  broker.textContent = page.broker.connected ? t.page.brokerConnected : page.broker.detail ? fill(t.page.brokerDown, { detail: page.broker.detail }) : t.page.brokerNotConnected;
  broker.className = `pill ${page.broker.connected ? 'good' : 'bad'}`;
}
