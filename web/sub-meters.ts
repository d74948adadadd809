// A gas, water or heat meter on a P1 port: a small card after its electricity meter's, with its total, the time it took
// it, and its hour and day, updated in place from each of its state messages. Names and units are its discovery's.
import type { PageMeter, PayloadView } from '../src/page/contract.js';
import { el } from './dom.js';
import { reading, time } from './format.js';
import { fill, t } from './i18n.js';

export class SubMeterCard {
  readonly root: HTMLElement;
  private readonly cells = new Map<string, HTMLElement>();
  private readonly units = new Map<string, string | null>();
  private readonly updated: HTMLElement;

  constructor(meter: PageMeter) {
    this.updated = el('span', { class: 'updated' });
    this.root = el('section', { class: 'card meter sub-meter', 'data-meter': meter.id, 'data-sub-meter-of': meter.subMeterOf ?? '', 'aria-labelledby': `meter-${meter.id}` });
    this.root.append(el('h2', { id: `meter-${meter.id}` }, meter.name, ' ', this.updated));
    const rows = el('tbody');
    // The `_last_reset` keys say when the open hour and day began: the names of the rows say it already.
    for (const r of meter.readings) {
      if (r.key.endsWith('_last_reset')) continue;
      this.units.set(r.key, r.unit);
      const cell = el('span', { 'data-key': r.key }, reading(r.key, r.value, r.unit));
      this.cells.set(r.key, cell);
      rows.append(el('tr', {}, el('th', { scope: 'row' }, r.name), el('td', { class: 'num' }, cell)));
    }
    this.root.append(el('div', { class: 'scroll' }, el('table', {}, rows)));
    this.stamp(meter.updatedAt);
  }

  private stamp(at: number | null): void {
    this.updated.textContent = at === null ? '' : fill(t.meter.updated, { time: time(at) });
  }

  private value(key: string, value: unknown): void {
    const cell = this.cells.get(key);
    if (cell === undefined || (typeof value !== 'number' && typeof value !== 'string' && value !== null)) return;
    cell.textContent = reading(key, value, this.units.get(key) ?? null);
  }

  /** The picture as the service has it now. */
  show(meter: PageMeter): void {
    for (const r of meter.readings) this.value(r.key, r.value);
    this.stamp(meter.updatedAt);
  }

  /** A sub-meter keeps no history of its own on the page. */
  setHistory(): void {}

  /** A new state message (the sub-meter took a new value). */
  update(state: PayloadView, at: number): void {
    for (const [key, value] of Object.entries(state)) this.value(key, value);
    this.stamp(at);
  }
}
