// One card per meter: its values updated in place from each state message, and its plots (power, hours, days).
import type { EnergyBar, MeterHistory, PageMeter, PayloadView, PowerSeries } from '../src/page/contract.js';
import { el } from './dom.js';
import { reading, time } from './format.js';
import { fill, t } from './i18n.js';
import { CostPlot, EnergyPlot } from './period-plots.js';
import { PowerPlot } from './plots.js';

type Value = number | string | null;

const HOURS_SHOWN = 48;
const DAYS_SHOWN = 31;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The closed periods with the open one added from the state message (its start is the `_last_reset` of "this hour"
 * or "today"), marked partial; the open one replaces a bar of the same start that the history may already hold.
 */
export function withOpenPeriod(closed: readonly EnergyBar[], values: ReadonlyMap<string, Value>, period: 'hour' | 'day', keep: number): EnergyBar[] {
  const since = values.get(`energy_import_${period}_last_reset`) ?? values.get(`energy_export_${period}_last_reset`);
  const start = typeof since === 'string' ? Date.parse(since) : NaN;
  if (!Number.isFinite(start)) return closed.slice(-keep);
  // With prices on, today's cost so far is the state message's `cost_today` (the open hour's is not sent).
  const cost = period === 'day' && values.has('cost_today') ? { cost: num(values.get('cost_today')) } : {};
  const open: EnergyBar = { start, import: num(values.get(`energy_import_${period}`)), export: num(values.get(`energy_export_${period}`)), partial: true, ...cost };
  if (open.import === null && open.export === null) return closed.slice(-keep);
  return [...closed.filter((b) => b.start < start), open].slice(-keep);
}

export class MeterCard {
  readonly root: HTMLElement;
  /** Every place a reading is shown (a value may be in the summary and in the full list). */
  private readonly cells = new Map<string, HTMLElement[]>();
  private readonly units = new Map<string, string | null>();
  private readonly values = new Map<string, Value>();
  private readonly updated: HTMLElement;
  private readonly power: PowerPlot;
  private readonly hours = new EnergyPlot('hours');
  private readonly days = new EnergyPlot('days');
  /** With prices on (the bars carry a cost): what each hour and day cost. */
  private readonly hoursCost = new CostPlot('hours');
  private readonly daysCost = new CostPlot('days');
  private history: MeterHistory;
  private powerData: PowerSeries;

  constructor(meter: PageMeter) {
    for (const r of meter.readings) {
      this.units.set(r.key, r.unit);
      this.values.set(r.key, r.value);
    }
    this.history = meter.history;
    this.powerData = meter.power;
    this.power = new PowerPlot(meter.power);
    this.updated = el('span', { class: 'updated' });
    this.root = el('section', { class: 'card meter', 'data-meter': meter.id, 'aria-labelledby': `meter-${meter.id}` });
    this.build(meter);
  }

  private cell(key: string, className = ''): HTMLElement {
    const c = el('span', { class: className, 'data-key': key }, reading(key, this.values.get(key), this.units.get(key) ?? null));
    this.cells.set(key, [...(this.cells.get(key) ?? []), c]);
    return c;
  }

  private build(meter: PageMeter): void {
    const has = (key: string) => this.values.has(key);
    this.root.append(el('h2', { id: `meter-${meter.id}` }, meter.name, ' ', this.updated));
    this.root.append(
      el(
        'div',
        { class: 'now' },
        el('div', {}, el('span', { class: 'label' }, t.meter.importNow), this.cell('active_power_import', 'value import')),
        el('div', {}, el('span', { class: 'label' }, t.meter.exportNow), this.cell('active_power_export', 'value export')),
      ),
    );
    const grid = el('div', { class: 'grid' });
    // A row per quantity, a column per phase: four narrow columns, which fit a phone's width in every language.
    const phases = ['l1', 'l2', 'l3'].filter((p) => has(`voltage_${p}`) || has(`current_${p}`));
    if (phases.length > 0) {
      const quantities = (
        [
          ['voltage', t.meter.voltage],
          ['current', t.meter.current],
          ['active_power_import', t.meter.import],
          ['active_power_export', t.meter.export],
        ] as const
      ).filter(([k]) => phases.some((p) => has(`${k}_${p}`)));
      const head = el('thead', {}, el('tr', {}, el('td', {}), ...phases.map((p) => el('th', { scope: 'col', class: 'num' }, p.toUpperCase()))));
      const body = el('tbody', {}, ...quantities.map(([k, name]) => el('tr', {}, el('th', { scope: 'row' }, name), ...phases.map((p) => el('td', { class: 'num' }, this.cell(`${k}_${p}`))))));
      grid.append(el('div', {}, el('h3', {}, t.meter.perPhase), el('div', { class: 'scroll' }, el('table', {}, head, body))));
    }
    const rows: [string, string, string][] = [
      [t.meter.meterTotal, 'active_energy_import', 'active_energy_export'],
      [t.meter.thisHour, 'energy_import_hour', 'energy_export_hour'],
      [t.meter.today, 'energy_import_day', 'energy_export_day'],
      [t.meter.thisMonth, 'energy_import_month', 'energy_export_month'],
    ];
    const energy = el('tbody', {}, ...rows.filter(([, i, e]) => has(i) || has(e)).map(([name, i, e]) => el('tr', {}, el('th', { scope: 'row' }, name), el('td', { class: 'num' }, this.cell(i)), el('td', { class: 'num' }, this.cell(e)))));
    // Some lists send energy only once an hour: no table until they do.
    if (energy.rows.length > 0) {
      const head = el('thead', {}, el('tr', {}, el('td', {}), el('th', { scope: 'col', class: 'num' }, t.meter.import), el('th', { scope: 'col', class: 'num' }, t.meter.export)));
      grid.append(el('div', {}, el('h3', {}, t.meter.energy), el('table', {}, head, energy)));
    }
    this.root.append(grid);
    this.root.append(el('div', { class: 'plots' }, this.power.root, this.hours.root, this.days.root, this.hoursCost.root, this.daysCost.root));
    const all = el('tbody');
    for (const r of meter.readings) if (!r.key.endsWith('_last_reset')) all.append(el('tr', {}, el('th', { scope: 'row' }, r.name), el('td', { class: 'num' }, this.cell(r.key))));
    this.root.append(el('details', {}, el('summary', {}, t.meter.allReadings), el('div', { class: 'scroll' }, el('table', {}, all))));
    this.stamp(meter.updatedAt);
    this.redrawPeriods();
  }

  private stamp(at: number | null): void {
    this.updated.textContent = at === null ? '' : fill(t.meter.updated, { time: time(at) });
  }

  private value(key: string, value: unknown): void {
    if (typeof value !== 'number' && typeof value !== 'string' && value !== null) return;
    this.values.set(key, value);
    for (const cell of this.cells.get(key) ?? []) cell.textContent = reading(key, value, this.units.get(key) ?? null);
  }

  private redrawPeriods(): void {
    const hours = withOpenPeriod(this.history.hours, this.values, 'hour', HOURS_SHOWN);
    const days = withOpenPeriod(this.history.days, this.values, 'day', DAYS_SHOWN);
    this.hours.set(hours);
    this.days.set(days);
    const counted = CostPlot.counted(hours) || CostPlot.counted(days);
    for (const [plot, bars] of [
      [this.hoursCost, hours],
      [this.daysCost, days],
    ] as const) {
      plot.root.hidden = !counted;
      if (counted) plot.set(bars);
    }
  }

  /** The picture as the service has it now (after a reconnect, or a poll): values, power and history replaced. */
  show(meter: PageMeter): void {
    for (const r of meter.readings) this.value(r.key, r.value);
    this.power.set((this.powerData = meter.power));
    this.history = meter.history;
    this.redrawPeriods();
    this.stamp(meter.updatedAt);
  }

  setHistory(history: MeterHistory): void {
    this.history = history;
    this.redrawPeriods();
  }

  /** A new state message: the values in place, a point on the power plot (the hour kept), the open hour and day. */
  update(state: PayloadView, at: number): void {
    for (const [key, value] of Object.entries(state)) this.value(key, value);
    const [times, imports, exports] = this.powerData;
    const kept = times.findIndex((s) => s >= at / 1000 - 3600);
    const from = kept < 0 ? times.length : kept;
    this.powerData = [
      [...times.slice(from), at / 1000],
      [...imports.slice(from), num(state.active_power_import)],
      [...exports.slice(from), num(state.active_power_export)],
    ];
    this.power.set(this.powerData);
    this.redrawPeriods();
    this.stamp(at);
  }
}
