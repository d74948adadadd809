// The meter's plots (uPlot on a canvas), each with what a canvas cannot say: a summary that is always shown (no
// hover needed, on a phone either), the numbers as a table, an empty state instead of a blank canvas, axes in the
// page's locale, and ranges that fit the data (a single bar sits on a day, not on years; the power on its hour).
import type UPlot from 'uplot';
import type { EnergyBar, PowerSeries } from '../src/page/contract.js';
import { color, el } from './dom.js';
import { day, hour, minute, quantity, time } from './format.js';
import { fill, locale, t } from './i18n.js';

declare const uPlot: typeof UPlot;

const HEIGHT = 200;
const HOUR_S = 3600;
const DAY_S = 86_400;
/** The currency of the Danish prices the service counts cost in (src/ha/cost.ts CURRENCY). */
const CURRENCY = 'DKK';

const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
/** Value ticks at 1, 2 and 5 times a power of ten: labels that read as written (never 0.025 shown as "0.03"). */
const valueSteps = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e));
/** Room at the right for the last time label, which uPlot centres on the plot's edge. */
const PADDING: UPlot.Padding = [12, 28, 0, 0];

/** A figure: heading, empty state, the canvas (hidden from screen readers: the summary and table say it), summary, table. */
abstract class Plot<T> {
  readonly root: HTMLElement;
  protected readonly canvasBox: HTMLElement;
  protected readonly empty: HTMLElement;
  protected readonly summary: HTMLElement;
  private readonly table: HTMLTableSectionElement;
  private readonly details: HTMLDetailsElement;
  private plot: UPlot | null = null;
  protected data: T;

  constructor(kind: string, heading: string, emptyText: string, columns: readonly string[], data: T) {
    this.data = data;
    this.canvasBox = el('div', { class: 'plot-canvas', 'aria-hidden': 'true' });
    this.empty = el('p', { class: 'hint' }, emptyText);
    this.summary = el('p', { class: 'plot-summary' });
    this.table = el('tbody');
    this.details = el('details', {}, el('summary', {}, t.plots.numbers), el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col' }, c)))), this.table)));
    // The table is filled when it is opened: a closed one costs nothing per frame.
    this.details.addEventListener('toggle', () => this.fillTable());
    this.root = el('figure', { class: 'plot', 'data-plot': kind }, el('figcaption', {}, el('h3', {}, heading)), this.empty, this.canvasBox, this.summary, this.details);
    new ResizeObserver(() => this.draw()).observe(this.root);
  }

  set(data: T): void {
    this.data = data;
    this.draw();
  }

  protected abstract points(): number;
  protected abstract options(width: number): UPlot.Options;
  protected abstract aligned(): UPlot.AlignedData;
  protected abstract describe(): string;
  protected abstract rows(): (string | Node)[][];

  private draw(): void {
    const n = this.points();
    this.root.dataset.points = String(n);
    this.empty.hidden = n > 0;
    this.canvasBox.hidden = n === 0;
    this.details.hidden = n === 0;
    this.summary.textContent = n === 0 ? '' : this.describe();
    if (this.details.open) this.fillTable();
    const width = this.canvasBox.clientWidth;
    if (n === 0 || width === 0) return;
    if (this.plot === null || this.plot.width !== width) {
      this.plot?.destroy();
      this.plot = new uPlot(this.options(width), this.aligned(), this.canvasBox);
    } else this.plot.setData(this.aligned());
  }

  private fillTable(): void {
    if (!this.details.open) return;
    this.table.replaceChildren(...this.rows().map((cells) => el('tr', {}, el('th', { scope: 'row' }, cells[0] ?? ''), ...cells.slice(1).map((c) => el('td', { class: 'num' }, c)))));
  }

  protected axes(xValues: (ms: number) => string, incrs: number[], unit: string): UPlot.Axis[] {
    const stroke = color('--muted');
    const grid = { stroke: color('--line'), width: 1 };
    return [
      {
        stroke,
        grid,
        ticks: grid,
        incrs,
        space: 56,
        values: (_u, splits) => {
          const labels = splits.map((s) => xValues(s * 1000));
          // What the canvas shows, for tests and for anyone who inspects the page.
          this.root.dataset.xTicks = labels.join('|');
          return labels;
        },
      },
      { stroke, grid, ticks: grid, size: 64, label: unit, incrs: valueSteps, values: (_u, splits) => splits.map((v) => numbers.format(v)) },
    ];
  }
}

/** Power over the last hour: a line per direction, the x range the hour (at least ten minutes, never milliseconds). */
export class PowerPlot extends Plot<PowerSeries> {
  constructor(data: PowerSeries) {
    super('power', t.plots.power, t.plots.noPower, [t.plots.time, t.meter.import, t.meter.export], data);
  }

  protected points(): number {
    return this.data[0].length;
  }

  protected aligned(): UPlot.AlignedData {
    return this.data;
  }

  protected options(width: number): UPlot.Options {
    return {
      width,
      height: HEIGHT,
      padding: PADDING,
      legend: { show: false },
      scales: {
        x: { time: true, range: (_u, min, max) => [max - Math.min(HOUR_S, Math.max(600, max - min)), max] },
        y: { range: (_u, min, max) => [Math.min(0, min), Math.max(100, max * 1.1)] },
      },
      series: [{}, { label: t.meter.import, stroke: color('--import'), width: 2 }, { label: t.meter.export, stroke: color('--export'), width: 2 }],
      axes: this.axes(minute, [60, 300, 600, 900, 1200, 1800, 3600], 'W'),
    };
  }

  protected describe(): string {
    const last = this.data[0].length - 1;
    return fill(t.plots.latest, { time: time((this.data[0][last] ?? 0) * 1000), import: quantity(this.data[1][last], 'W'), export: quantity(this.data[2][last], 'W') });
  }

  /** A row per minute at most: the table is for reading, not for every frame. */
  protected rows(): (string | Node)[][] {
    const rows: (string | Node)[][] = [];
    let lastMinute = -1;
    for (let i = this.data[0].length - 1; i >= 0; i--) {
      const at = this.data[0][i] ?? 0;
      if (Math.floor(at / 60) === lastMinute) continue;
      lastMinute = Math.floor(at / 60);
      rows.push([time(at * 1000), quantity(this.data[1][i], 'W'), quantity(this.data[2][i], 'W')]);
    }
    return rows;
  }
}

/** Bars per hour or per day: the x range from the first bar's period, partial periods pale, labels by the span. */
abstract class PeriodPlot extends Plot<readonly EnergyBar[]> {
  constructor(
    kind: string,
    protected readonly span: 'hours' | 'days',
    heading: string,
    emptyText: string,
    columns: readonly string[],
  ) {
    super(kind, heading, emptyText, columns, []);
  }

  protected get period(): number {
    return this.span === 'hours' ? HOUR_S : DAY_S;
  }

  /** The bars drawn. */
  protected get bars(): readonly EnergyBar[] {
    return this.data;
  }

  protected points(): number {
    return this.bars.length;
  }

  /** Bars of one series in the colour `--{name}`, pale (`--{name}-partial`, style.css) for partial periods. */
  protected paths(align: -1 | 0 | 1, name: string): UPlot.Series.PathBuilder | undefined {
    return uPlot.paths.bars?.({
      align,
      size: align === 0 ? [0.6, 64] : [0.45, 48],
      disp: { fill: { unit: 3, values: (_u, _s, i0, i1) => this.bars.slice(i0, i1 + 1).map((b) => color(b.partial ? `--${name}-partial` : `--${name}`)) } },
    });
  }

  protected base(series: UPlot.Series[], y: UPlot.Range.Function, unit: string): UPlot.Options {
    return {
      width: 0,
      height: HEIGHT,
      padding: PADDING,
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: { x: { time: true, range: () => this.xRange() }, y: { range: y } },
      series: [{}, ...series],
      axes: this.axes(this.span === 'hours' ? (ms) => (new Date(ms).getHours() === 0 ? day(ms) : minute(ms)) : day, this.span === 'hours' ? [HOUR_S, 2 * HOUR_S, 3 * HOUR_S, 6 * HOUR_S, 12 * HOUR_S, DAY_S] : [DAY_S, 2 * DAY_S, 7 * DAY_S], unit),
    };
  }

  /** Each bar at the middle of its period, so that it stands within it. */
  protected times(): number[] {
    return this.bars.map((b) => b.start / 1000 + this.period / 2);
  }

  /** From the first bar's period to the last one's end, at least half a day (hours) or a week (days). */
  private xRange(): [number, number] {
    const first = (this.bars[0]?.start ?? 0) / 1000;
    const last = (this.bars.at(-1)?.start ?? 0) / 1000;
    const range: [number, number] = [first, Math.max(last + this.period, first + (this.span === 'hours' ? 12 * HOUR_S : 7 * DAY_S))];
    this.root.dataset.range = range.map((s) => new Date(s * 1000).toISOString()).join('/');
    this.root.dataset.partial = String(this.bars.filter((b) => b.partial).length);
    return range;
  }

  protected label(b: EnergyBar): string {
    return this.span === 'hours' ? hour(b.start) : day(b.start);
  }

  /** A row's heading: the period, marked when partial. */
  protected rowLabel(b: EnergyBar): string {
    return b.partial ? `${this.label(b)} (${t.plots.partial})` : this.label(b);
  }

  protected get partialNote(): string {
    return this.bars.some((b) => b.partial) ? ` ${t.plots.partialNote}` : '';
  }
}

/** Energy per hour or per day: import and export bars side by side. */
export class EnergyPlot extends PeriodPlot {
  constructor(span: 'hours' | 'days') {
    super(span, span, span === 'hours' ? t.plots.hours : t.plots.days, span === 'hours' ? t.plots.noHours : t.plots.noDays, [t.plots.time, t.meter.import, t.meter.export]);
  }

  protected aligned(): UPlot.AlignedData {
    return [this.times(), this.data.map((b) => b.import), this.data.map((b) => b.export)];
  }

  protected options(width: number): UPlot.Options {
    return {
      ...this.base(
        [
          { label: t.meter.import, stroke: color('--import'), fill: color('--import'), paths: this.paths(-1, 'import'), points: { show: false } },
          { label: t.meter.export, stroke: color('--export'), fill: color('--export'), paths: this.paths(1, 'export'), points: { show: false } },
        ],
        (_u, _min, max) => [0, Math.max(0.1, max * 1.15)],
        'kWh',
      ),
      width,
    };
  }

  protected describe(): string {
    const sum = (key: 'import' | 'export') => this.data.reduce((s, b) => s + (b[key] ?? 0), 0);
    const first = this.data[0];
    const last = this.data.at(-1);
    if (!first || !last) return '';
    let most = first;
    for (const b of this.data) if ((b.import ?? 0) > (most.import ?? 0)) most = b;
    if (first === last) return `${fill(t.plots.one, { when: this.label(first), import: quantity(first.import, 'kWh'), export: quantity(first.export, 'kWh') })}${this.partialNote}`;
    const range = fill(t.plots.range, { from: this.label(first), to: this.label(last), import: quantity(sum('import'), 'kWh'), export: quantity(sum('export'), 'kWh') });
    const top = fill(t.plots.most, { period: this.span === 'hours' ? t.plots.hour : t.plots.day, value: quantity(most.import, 'kWh'), when: this.label(most) });
    return `${range} ${top}${this.partialNote}`;
  }

  protected rows(): (string | Node)[][] {
    return [...this.data].reverse().map((b) => [this.rowLabel(b), quantity(b.import, 'kWh'), quantity(b.export, 'kWh')]);
  }
}

/**
 * What each hour or day cost, with prices on (DKK incl. VAT: the sum of its quarters' imported energy at their
 * prices, as the service books them). A period with a quarter whose price was missing has no bar: it is not guessed.
 */
export class CostPlot extends PeriodPlot {
  constructor(span: 'hours' | 'days') {
    super(span === 'hours' ? 'cost-hours' : 'cost-days', span, span === 'hours' ? t.plots.costHours : t.plots.costDays, span === 'hours' ? t.plots.noCostHours : t.plots.noCostDays, [t.plots.time, t.plots.cost]);
  }

  /** Whether the service counts cost at all (prices on): the bars carry a `cost` then, null where it is unknown. */
  static counted(bars: readonly EnergyBar[]): boolean {
    return bars.some((b) => b.cost !== undefined);
  }

  protected override get bars(): readonly EnergyBar[] {
    return this.data.filter((b) => typeof b.cost === 'number');
  }

  protected aligned(): UPlot.AlignedData {
    return [this.times(), this.bars.map((b) => b.cost ?? null)];
  }

  protected options(width: number): UPlot.Options {
    return {
      ...this.base([{ label: t.plots.cost, stroke: color('--cost'), fill: color('--cost'), paths: this.paths(0, 'cost'), points: { show: false } }], (_u, min, max) => [Math.min(0, min * 1.15), Math.max(0.1, max * 1.15)], CURRENCY),
      width,
    };
  }

  protected describe(): string {
    const bars = this.bars;
    const first = bars[0];
    const last = bars.at(-1);
    if (!first || !last) return '';
    const missing = this.data.some((b) => b.cost === null) ? ` ${t.plots.costMissing}` : '';
    if (first === last) return `${fill(t.plots.costOne, { when: this.label(first), cost: quantity(first.cost, CURRENCY) })}${this.partialNote}${missing}`;
    let most = first;
    for (const b of bars) if ((b.cost ?? 0) > (most.cost ?? 0)) most = b;
    const range = fill(t.plots.costRange, { from: this.label(first), to: this.label(last), cost: quantity(bars.reduce((s, b) => s + (b.cost ?? 0), 0), CURRENCY) });
    const top = fill(this.span === 'hours' ? t.plots.costMostHour : t.plots.costMostDay, { value: quantity(most.cost, CURRENCY), when: this.label(most) });
    return `${range} ${top}${this.partialNote}${missing}`;
  }

  /** Every period, the ones without a price too (a dash): the table says which they are. */
  protected rows(): (string | Node)[][] {
    return [...this.data].reverse().map((b) => [this.rowLabel(b), quantity(b.cost, CURRENCY)]);
  }
}
