// The energy and cost plots: bars per hour or per day (the power plot and what every plot shares: plots.ts).
import type UPlot from 'uplot';
import type { EnergyBar } from '../src/page/contract.js';
import { color } from './dom.js';
import { day, hour, minute, quantity } from './format.js';
import { fill, t } from './i18n.js';
import { HEIGHT, HOUR_S, PADDING, Plot } from './plots.js';

declare const uPlot: typeof UPlot;

const DAY_S = 86_400;
/** The currency of the Danish prices the service counts cost in (src/ha/cost.ts CURRENCY). */
const CURRENCY = 'DKK';

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
