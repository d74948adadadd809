// The PowerMeter page: plain DOM and uPlot, no framework and no build chain beyond tsc. Everything it shows comes from
// the service's API (src/page/server.ts), by relative URLs, so that it works under Home Assistant's ingress prefix.
import type UPlot from 'uplot';

declare const uPlot: typeof UPlot;

interface Reading {
  key: string;
  name: string;
  unit: string | null;
  value: number | string | null;
}
type Series = [number[], (number | null)[], (number | null)[]];
interface Meter {
  id: string;
  name: string;
  updatedAt: number | null;
  readings: Reading[];
  power: Series;
  hours: Series;
}
interface Source {
  id: string;
  name: string;
  suffix: string;
}
interface Broker {
  connected: boolean;
  detail: string | null;
}
interface PageState {
  meters: Meter[];
  diagnostics: Record<string, unknown>;
  sources: Source[];
  broker: Broker;
  systemTitles: string[];
  canSaveKeys: boolean;
}
interface Frame {
  at: number;
  sourceName: string;
  stream: string;
  size: number;
  list: string | null;
  meterId: string | null;
  verdict: string;
  detail: string | null;
}
type PageEvent =
  | { type: 'state'; meter: string; at: number; state: Record<string, unknown> }
  | { type: 'diagnostics'; diagnostics: Record<string, unknown> }
  | { type: 'frame'; frame: Frame }
  | { type: 'broker'; broker: Broker };

const FRAMES_SHOWN = 100;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`the page has no #${id}`);
  return e;
}

const color = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function format(value: number | string | null | undefined, unit: string | null = null): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  const digits = Math.abs(value) >= 1000 || Number.isInteger(value) ? 0 : Math.abs(value) >= 100 ? 1 : 2;
  const text = value.toLocaleString(undefined, { maximumFractionDigits: Math.max(digits, unit === 'kWh' ? 2 : digits) });
  return unit ? `${text} ${unit}` : text;
}

const time = (ms: number): string => new Date(ms).toLocaleTimeString();

/** A diagnostic's value as text: the service sends numbers, words and null. */
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === null || v === undefined ? '–' : JSON.stringify(v));

/** One meter's card: its values, updated in place, and its two plots. */
class MeterCard {
  readonly root: HTMLElement;
  /** Every place a reading is shown (a value may be in the summary and in the full list). */
  private readonly cells = new Map<string, HTMLElement[]>();
  private readonly updated: HTMLElement;
  private readonly readings = new Map<string, Reading>();
  private powerPlot: UPlot | null = null;
  private powerBox: HTMLElement | null = null;
  private hoursPlot: UPlot | null = null;
  private power: Series;
  private readonly hours: Series;

  constructor(private meter: Meter) {
    this.power = meter.power;
    this.hours = meter.hours;
    for (const r of meter.readings) this.readings.set(r.key, r);
    this.updated = el('span', { class: 'updated' });
    this.root = el('section', { class: 'card meter', 'data-meter': meter.id });
    this.build();
  }

  private cell(key: string, className = ''): HTMLElement {
    const r = this.readings.get(key);
    const c = el('span', { class: className, 'data-key': key }, format(r?.value, r?.unit ?? null));
    this.cells.set(key, [...(this.cells.get(key) ?? []), c]);
    return c;
  }

  private build(): void {
    const m = this.meter;
    this.root.append(el('h2', {}, m.name, ' ', this.updated));
    this.root.append(
      el(
        'div',
        { class: 'now' },
        el('div', {}, el('span', { class: 'label' }, 'Import now'), this.cell('active_power_import', 'value import')),
        el('div', {}, el('span', { class: 'label' }, 'Export now'), this.cell('active_power_export', 'value export')),
      ),
    );
    const has = (key: string) => this.readings.has(key);
    const grid = el('div', { class: 'grid' });
    const phases = ['l1', 'l2', 'l3'].filter((p) => has(`voltage_${p}`) || has(`current_${p}`));
    if (phases.length > 0) {
      const columns = [
        ['voltage', 'Voltage'],
        ['current', 'Current'],
        ['active_power_import', 'Import'],
        ['active_power_export', 'Export'],
      ].filter(([k]) => phases.some((p) => has(`${k}_${p}`)));
      const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Phase'), ...columns.map(([, n]) => el('th', {}, n!)))));
      const body = el('tbody');
      for (const p of phases) body.append(el('tr', {}, el('th', {}, p.toUpperCase()), ...columns.map(([k]) => el('td', { class: 'num' }, this.cell(`${k}_${p}`)))));
      table.append(body);
      grid.append(el('div', {}, el('h3', {}, 'Per phase'), table));
    }
    const energy = el('tbody');
    const rows: [string, string, string][] = [
      ['Meter total', 'active_energy_import', 'active_energy_export'],
      ['This hour', 'energy_import_hour', 'energy_export_hour'],
      ['Today', 'energy_import_day', 'energy_export_day'],
      ['This month', 'energy_import_month', 'energy_export_month'],
    ];
    for (const [name, imp, exp] of rows) if (has(imp) || has(exp)) energy.append(el('tr', {}, el('th', {}, name), el('td', { class: 'num' }, this.cell(imp)), el('td', { class: 'num' }, this.cell(exp))));
    // Some lists send energy only once an hour: no table until they do.
    if (energy.rows.length > 0) grid.append(el('div', {}, el('h3', {}, 'Energy'), el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'Import'), el('th', {}, 'Export'))), energy)));
    this.root.append(grid);

    const plots = el('div', { class: 'plots' });
    const powerBox = el('div', { class: 'plot', 'data-plot': 'power' });
    const hoursBox = el('div', { class: 'plot', 'data-plot': 'hours' });
    const noHours = el('p', { class: 'hint' }, 'Each hour appears here once it has closed (kept since the add-on started).');
    noHours.hidden = this.hours[0].length > 0;
    plots.append(el('div', {}, el('h3', {}, 'Power, last hour'), powerBox), el('div', {}, el('h3', {}, 'Energy per hour, last 48 hours'), noHours, hoursBox));
    this.root.append(plots);

    const all = el('tbody');
    for (const r of this.readings.values()) all.append(el('tr', {}, el('th', {}, r.name), el('td', { class: 'num' }, this.cell(r.key))));
    this.root.append(el('details', {}, el('summary', {}, 'All readings'), el('table', {}, all)));
    this.stamp(this.meter.updatedAt);
    requestAnimationFrame(() => this.plot(powerBox, hoursBox));
  }

  private plot(powerBox: HTMLElement, hoursBox: HTMLElement): void {
    const width = Math.max(260, powerBox.clientWidth);
    const axes = (unit: string): UPlot.Axis[] => [{ stroke: color('--muted'), grid: { stroke: color('--line') } }, { stroke: color('--muted'), grid: { stroke: color('--line') }, label: unit }];
    this.powerPlot = new uPlot(
      {
        width,
        height: 200,
        series: [{}, { label: 'Import W', stroke: color('--import'), width: 2 }, { label: 'Export W', stroke: color('--export'), width: 2 }],
        axes: axes('W'),
      },
      this.power,
      powerBox,
    );
    const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
    this.hoursPlot = new uPlot(
      {
        width,
        height: 200,
        series: [{}, { label: 'Import kWh', stroke: color('--import'), fill: color('--import'), paths: bars }, { label: 'Export kWh', stroke: color('--export'), fill: color('--export'), paths: bars }],
        axes: axes('kWh'),
      },
      this.hours,
      hoursBox,
    );
    powerBox.dataset.points = String(this.power[0].length);
    hoursBox.dataset.points = String(this.hours[0].length);
    this.powerBox = powerBox;
    new ResizeObserver(() => {
      const w = Math.max(260, powerBox.clientWidth);
      this.powerPlot?.setSize({ width: w, height: 200 });
      this.hoursPlot?.setSize({ width: w, height: 200 });
    }).observe(powerBox);
  }

  private stamp(at: number | null): void {
    this.updated.textContent = at === null ? '' : `· ${time(at)}`;
  }

  /** The values in place, without a plot point: after the event stream reconnects, the picture as it is now. */
  show(meter: Meter): void {
    for (const r of meter.readings) this.values(r.key, r.value);
    this.power = meter.power;
    this.powerPlot?.setData(this.power);
    if (this.powerBox) this.powerBox.dataset.points = String(this.power[0].length);
    this.stamp(meter.updatedAt);
  }

  private values(key: string, value: unknown): void {
    const r = this.readings.get(key);
    if (typeof value !== 'number' && typeof value !== 'string' && value !== null) return;
    for (const cell of this.cells.get(key) ?? []) cell.textContent = format(value, r?.unit ?? null);
  }

  /** A new state message: the values in place, and a point on the power plot. */
  update(state: Record<string, unknown>, at: number): void {
    for (const [key, value] of Object.entries(state)) this.values(key, value);
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    const cutoff = at / 1000 - 3600;
    const keep = this.power[0].findIndex((t) => t >= cutoff);
    const from = keep < 0 ? this.power[0].length : keep;
    this.power = [
      [...this.power[0].slice(from), at / 1000],
      [...this.power[1].slice(from), num(state.active_power_import)],
      [...this.power[2].slice(from), num(state.active_power_export)],
    ];
    this.powerPlot?.setData(this.power);
    if (this.powerBox) this.powerBox.dataset.points = String(this.power[0].length);
    this.stamp(at);
  }
}

const cards = new Map<string, MeterCard>();
let page: PageState;

function renderMeters(): void {
  const box = byId('meters', HTMLElement);
  for (const m of page.meters) {
    const known = cards.get(m.id);
    if (known) {
      known.show(m);
      continue;
    }
    const card = new MeterCard(m);
    cards.set(m.id, card);
    box.append(card.root);
  }
  byId('no-meter', HTMLElement).hidden = page.meters.length > 0;
}

const goodStates = new Set(['authenticated', 'encryption_only', 'not_encrypted', 'connected', 'OFF']);
const badStates = new Set(['wrong_authentication_key', 'wrong_encryption_key', 'key_missing', 'disconnected', 'ON']);
const tone = (v: unknown): string => (goodStates.has(text(v)) ? 'good' : badStates.has(text(v)) ? 'bad' : text(v) === 'keys_swapped' ? 'warn' : '');

function renderDiagnostics(): void {
  const table = byId('diag', HTMLTableElement);
  table.replaceChildren();
  const d = page.diagnostics;
  const several = page.sources.length > 1;
  const head = el('tr', {}, el('th', {}, ''), ...page.sources.map((s) => el('th', {}, several ? s.name : 'Meter')));
  const row = (name: string, field: string, suffixText = '') =>
    el(
      'tr',
      {},
      el('th', {}, name),
      ...page.sources.map((s) => {
        const v = d[`${field}${s.suffix}`];
        return el('td', { class: tone(v), 'data-field': `${field}${s.suffix}` }, v === null || v === undefined ? '–' : `${text(v)}${suffixText}`);
      }),
    );
  table.append(
    el('thead', {}, head),
    el(
      'tbody',
      {},
      el('tr', {}, el('th', {}, 'Source'), ...page.sources.map((s) => el('td', {}, s.name))),
      row('Connection', 'source_state'),
      row('Key check', 'security'),
      row('Frames decoded', 'frames_decoded'),
      row('Checksum errors', 'checksum_errors'),
      row('Authentication failures', 'authentication_failures'),
      row('Since the last good frame', 'seconds_since_last_frame', ' s'),
      row('No data from the meter', 'problem'),
    ),
  );
  const drift = el('tbody');
  for (const m of page.meters) {
    const r = m.readings.find((x) => x.key === 'clock_drift');
    drift.append(el('tr', {}, el('th', {}, `Clock drift, ${m.name}`), el('td', { 'data-drift': m.id }, format(r?.value, 's'))));
  }
  table.append(drift);
  const pill = byId('broker', HTMLElement);
  pill.textContent = page.broker.connected ? 'broker connected' : `broker: ${page.broker.detail ?? 'not connected'}`;
  pill.className = `pill ${page.broker.connected ? 'good' : 'bad'}`;
}

function frameRow(f: Frame): HTMLTableRowElement {
  const verdict = el('td', { class: f.verdict === 'accepted' ? 'good' : 'bad', title: f.detail ?? '' }, f.verdict, f.detail ? el('div', { class: 'hint' }, f.detail) : '');
  return el('tr', {}, el('td', {}, time(f.at)), el('td', {}, f.stream || f.sourceName), el('td', { class: 'num' }, String(f.size)), el('td', {}, f.list ?? '–'), verdict);
}

function renderFrames(frames: Frame[]): void {
  byId('frame-log', HTMLTableElement).tBodies[0]?.replaceChildren(...frames.slice(0, FRAMES_SHOWN).map(frameRow));
}

function renderTitles(): void {
  const select = byId('system-title', HTMLSelectElement);
  byId('title-label', HTMLElement).hidden = page.systemTitles.length < 2;
  if (select.options.length === page.systemTitles.length) return;
  select.replaceChildren(...page.systemTitles.map((t) => el('option', { value: t }, t)));
}

function onEvent(e: PageEvent): void {
  switch (e.type) {
    case 'state': {
      const card = cards.get(e.meter);
      if (card) card.update(e.state, e.at);
      else void refresh(); // a new meter: its discovery came with it
      const drift = document.querySelector(`[data-drift="${CSS.escape(e.meter)}"]`);
      if (drift && typeof e.state.clock_drift === 'number') drift.textContent = format(e.state.clock_drift, 's');
      break;
    }
    case 'diagnostics':
      page.diagnostics = e.diagnostics;
      renderDiagnostics();
      break;
    case 'frame': {
      const body = byId('frame-log', HTMLTableElement).tBodies[0];
      body?.prepend(frameRow(e.frame));
      while (body && body.rows.length > FRAMES_SHOWN) body.deleteRow(-1);
      break;
    }
    case 'broker':
      page.broker = e.broker;
      renderDiagnostics();
      break;
  }
}

async function refresh(): Promise<void> {
  page = (await (await fetch('api/state')).json()) as PageState;
  renderMeters();
  renderDiagnostics();
  renderTitles();
}

/** The key check: the verdict the service would give, and what to put where. The fields are cleared once saved. */
function keyCheck(): void {
  const form = byId('key-form', HTMLFormElement);
  const verdict = byId('verdict', HTMLElement);
  const save = byId('save-keys', HTMLButtonElement);
  const body = () => {
    const data = new FormData(form);
    return JSON.stringify({ encryption_key: data.get('encryption_key'), authentication_key: data.get('authentication_key'), system_title: data.get('system_title') || undefined });
  };
  const say = (word: string, text: string) => {
    verdict.replaceChildren(el('strong', { class: tone(word), 'data-verdict': word }, word), ' ', text);
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save.hidden = true;
    void (async () => {
      const res = await fetch('api/key-check', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body() });
      const answer = (await res.json()) as { verdict?: string; advice?: string; error?: string };
      if (!res.ok || !answer.verdict) return say('error', answer.error ?? `HTTP ${res.status}`);
      say(answer.verdict, answer.advice ?? '');
      save.hidden = !(page.canSaveKeys && ['authenticated', 'keys_swapped', 'encryption_only'].includes(answer.verdict));
    })();
  });
  save.addEventListener('click', () => {
    void (async () => {
      const res = await fetch('api/save-keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body() });
      const answer = (await res.json()) as { saved?: boolean; message?: string; error?: string };
      say(answer.saved ? 'saved' : 'not saved', answer.message ?? answer.error ?? '');
      if (answer.saved) form.reset();
      save.hidden = true;
    })();
  });
}

async function main(): Promise<void> {
  keyCheck();
  await refresh();
  renderFrames((await (await fetch('api/frames')).json()) as Frame[]);
  const events = new EventSource('api/events');
  events.onmessage = (m: MessageEvent<string>) => onEvent(JSON.parse(m.data) as PageEvent);
  // Once the stream is open nothing is missed: the whole picture again (after a reconnect too: the add-on restarted).
  events.onopen = () =>
    void refresh().then(() => {
      document.body.dataset.ready = 'true';
    });
}

void main();
