// The PowerMeter page: plain DOM and uPlot, no framework and no build chain beyond tsc. Everything it shows comes from
// the service's API (src/page/contract.ts), by relative URLs, so that it works under Home Assistant's ingress prefix.
// This module wires the parts: the connection, the meter cards, the diagnostics, the frame log, the key check and
// the serial ports, each in its own module.
import type { FrameView, PageEvent, PageState } from '../src/page/contract.js';
import { Connection, POLL_MS } from './connection.js';
import { renderDiagnostics, renderMeterStatus, renderPills, type Liveness } from './diagnostics.js';
import { byId } from './dom.js';
import { dateTime, drift } from './format.js';
import { FrameLog } from './frame-log.js';
import { fill, t, translatePage } from './i18n.js';
import { KeyCheck } from './key-check.js';
import { MeterCard } from './meters.js';
import { SubMeterCard } from './sub-meters.js';
import { showSerialPorts } from './serial-ports.js';

translatePage();
const keyCheck = new KeyCheck();
const cards = new Map<string, MeterCard | SubMeterCard>();
let page: PageState | null = null;
let frameLog: FrameLog | null = null;
let liveness: Liveness = 'loading';

function renderMeters(state: PageState): void {
  const box = byId('meters', HTMLElement);
  box.removeAttribute('aria-busy');
  byId('meters-loading', HTMLElement).hidden = true;
  for (const m of state.meters) {
    const known = cards.get(m.id);
    if (known) known.show(m);
    else {
      const card = m.subMeterOf === undefined ? new MeterCard(m) : new SubMeterCard(m);
      cards.set(m.id, card);
      box.append(card.root);
    }
  }
}

function render(): void {
  if (page === null) return;
  renderMeterStatus(page);
  renderDiagnostics(page);
  renderPills(page, liveness, POLL_MS / 1000);
  keyCheck.update(page.canSaveKeys, page.systemTitles);
}

function picture(state: PageState, frames: readonly FrameView[]): void {
  page = state;
  renderMeters(state);
  render();
  frameLog ??= new FrameLog(state.framesKept);
  frameLog.show(frames);
  document.body.dataset.ready = 'true';
}

function onEvent(e: PageEvent): void {
  if (page === null) return;
  switch (e.type) {
    case 'state': {
      const card = cards.get(e.meter);
      if (card) card.update(e.state, e.at);
      // A new meter (its discovery came with it): the next poll or reconnect brings its card; ask now.
      else void connection.refreshSoon();
      const clock = document.querySelector(`[data-clock="${CSS.escape(e.meter)}"]`);
      if (clock && typeof e.state.meter_time === 'string') clock.textContent = dateTime(Date.parse(e.state.meter_time));
      const offset = document.querySelector(`[data-drift="${CSS.escape(e.meter)}"]`);
      if (offset && typeof e.state.clock_drift === 'number') offset.textContent = drift(e.state.clock_drift);
      break;
    }
    case 'history':
      cards.get(e.meter)?.setHistory(e.history);
      break;
    case 'diagnostics':
      page = { ...page, diagnostics: e.diagnostics };
      render();
      break;
    case 'frame':
      frameLog?.add(e.frame);
      if (e.frame.systemTitle !== null && !page.systemTitles.includes(e.frame.systemTitle)) {
        page = { ...page, systemTitles: [...page.systemTitles, e.frame.systemTitle] };
        keyCheck.update(page.canSaveKeys, page.systemTitles);
      }
      break;
    case 'broker':
      page = { ...page, broker: e.broker };
      render();
      break;
    case 'hello':
    case 'heartbeat':
      break;
  }
}

const connection = new Connection({
  picture,
  event: onEvent,
  liveness(state, lastHeardAt) {
    liveness = state;
    renderPills(page, state, POLL_MS / 1000);
    const offline = byId('offline', HTMLElement);
    offline.hidden = state !== 'offline';
    offline.textContent = state === 'offline' ? `${t.page.offline}. ${fill(t.page.offlineHint, { time: lastHeardAt === null ? '–' : dateTime(lastHeardAt) })}` : '';
  },
});
connection.start();
void showSerialPorts();
