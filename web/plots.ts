// The meter's plots (uPlot on a canvas), each with what a canvas cannot say: a summary that is always shown (no
// hover needed, on a phone either), the numbers as a table, an empty state instead of a blank canvas, axes in the
// page's locale, and ranges that fit the data (a single bar sits on a day, not on years; the power on its hour).
import type UPlot from 'uplot';
import type { PowerSeries } from '../src/page/contract.js';
import { color, el } from './dom.js';
import { minute, quantity, time } from './format.js';
import { fill, locale, t } from './i18n.js';

declare const uPlot: typeof UPlot;

export const HEIGHT = 200;
export const HOUR_S = 3600;

const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
/** Value ticks at 1, 2 and 5 times a power of ten: labels that read as written (never 0.025 shown as "0.03"). */
const valueSteps = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e));
/** Room at the right for the last time label, which uPlot centres on the plot's edge. */
export const PADDING: UPlot.Padding = [12, 28, 0, 0];

/** A figure: heading, empty state, the canvas (hidden from screen readers: the summary and table say it), summary, table. */
export abstract class Plot<T> {
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
