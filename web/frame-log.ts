// The frame log: the last frames with their time, size, list and verdict in words (the key-related verdicts in the
// key check's words: one vocabulary); the source named once above the table when every frame comes from one.
import type { FrameView, SecurityWord } from '../src/page/contract.js';
import { byId, el } from './dom.js';
import { count, time } from './format.js';
import { fill, t } from './i18n.js';

/** The decode errors that are about the keys: worded as the key check's states. */
const keyVerdicts: Readonly<Record<string, SecurityWord>> = {
  'key-missing': 'key_missing',
  'wrong-authentication-key': 'wrong_authentication_key',
  'wrong-encryption-key': 'wrong_encryption_key',
};

const verdictWords = new Map<string, string>(Object.entries(t.verdicts));

/** A frame's verdict in words; a reason the page does not know is shown as the service says it. */
export function verdictWord(verdict: string): string {
  const key = keyVerdicts[verdict];
  if (key) return t.security[key].word;
  return verdictWords.get(verdict) ?? verdict;
}

const toneOf = (verdict: string): string => (verdict === 'accepted' ? 'good' : verdict === 'energy-held' || verdict === 'waiting-for-meter-id' ? 'warn' : 'bad');
const from = (f: FrameView): string => (f.stream ? `${f.sourceName} ${f.stream}` : f.sourceName);

export class FrameLog {
  private readonly body: HTMLTableSectionElement;
  private readonly table: HTMLTableElement;
  private frames: FrameView[] = [];

  constructor(private readonly kept: number) {
    this.table = byId('frame-log', HTMLTableElement);
    const body = this.table.tBodies[0];
    if (!body) throw new Error('the frame log has no body');
    this.body = body;
    byId('frames-intro', HTMLElement).textContent = fill(t.frames.intro, { count: kept });
  }

  /** The whole log, newest first. */
  show(frames: readonly FrameView[]): void {
    this.frames = frames.slice(0, this.kept);
    this.body.replaceChildren(...this.frames.map((f) => this.row(f)));
    this.sources();
  }

  add(frame: FrameView): void {
    this.frames.unshift(frame);
    this.body.prepend(this.row(frame));
    while (this.frames.length > this.kept) {
      this.frames.pop();
      this.body.deleteRow(-1);
    }
    this.sources();
  }

  /** One source for every frame: named once above the table, its column left out (it would repeat on every row). */
  private sources(): void {
    const names = new Set(this.frames.map(from));
    const one = names.size <= 1;
    this.table.classList.toggle('one-source', one);
    const only = [...names][0];
    byId('frames-from', HTMLElement).textContent = one && only !== undefined ? fill(t.frames.from, { source: only }) : '';
    byId('frames-none', HTMLElement).hidden = this.frames.length > 0;
  }

  private row(f: FrameView): HTMLTableRowElement {
    const verdict = el('td', { class: `verdict ${toneOf(f.verdict)}`, 'data-verdict': f.verdict }, el('span', { class: 'word' }, verdictWord(f.verdict)), f.detail ? el('span', { class: 'detail' }, f.detail) : '');
    return el('tr', {}, el('td', { class: 'time' }, time(f.at)), el('td', { class: 'source' }, from(f)), el('td', { class: 'num bytes' }, count(f.size)), el('td', { class: 'list' }, f.list ?? '–'), verdict);
  }
}
