// The serial ports the add-on's container sees, by-id names first, each with a copy button: what goes into the
// serial_port option, without guessing a name.
import type { SerialPortsAnswer, SerialPortView } from '../src/page/contract.js';
import { byId, el, getJson } from './dom.js';
import { fill, t } from './i18n.js';

/**
 * Copies text: the Clipboard API where the page is a secure context (https), else the selection and the older copy
 * command, which works over plain http too (Home Assistant is often reached so on the home network).
 */
async function copy(text: string, source: HTMLElement): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission): try the selection below
  }
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  return document.execCommand('copy');
}

function item(port: SerialPortView): HTMLLIElement {
  const path = el('code', { class: 'port' }, port.path);
  const button = el('button', { type: 'button', class: 'copy', 'aria-label': `${t.ports.copy} ${port.path}` }, t.ports.copy);
  const said = el('span', { class: 'copied', role: 'status' });
  button.addEventListener('click', () => {
    void copy(port.path, path).then((ok) => {
      said.textContent = ok ? t.ports.copied : t.ports.copyFailed;
    });
  });
  return el('li', { 'data-kind': port.kind }, path, port.device ? el('span', { class: 'hint' }, ` ${fill(t.ports.pointsTo, { device: port.device })}`) : '', ' ', button, ' ', said);
}

export async function showSerialPorts(): Promise<void> {
  const list = byId('ports', HTMLUListElement);
  const note = byId('ports-note', HTMLElement);
  try {
    const answer = await getJson<SerialPortsAnswer>('api/serial-ports');
    list.replaceChildren(...answer.ports.map(item));
    note.textContent = answer.error !== null ? fill(t.ports.error, { error: answer.error }) : answer.ports.length === 0 ? t.ports.none : '';
  } catch (error) {
    note.textContent = fill(t.ports.error, { error: error instanceof Error ? error.message : String(error) });
  }
}
