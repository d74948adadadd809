/**
 * Makes the bridge's drawing (hw/schematic.svg), its connection list (hw/netlist.txt) and its bill of materials (the
 * table in hw/README.md) from hw/netlist.ts, so that the three cannot disagree with it. The drawing is a net-label
 * schematic: every part a box with its reference, value and part number, every pin a stub with its number outside and
 * its name inside, ending in the name of its net; pins on one net are connected. Run
 * `npx tsc -p tsconfig.hw.json && node dist/hw/draw.js` after changing the netlist; the tests compare.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nets, parts, type Part, type Pin } from './netlist.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const COLUMN = 300;
const BOX = 130;
const ROW = 18;
const GAP = 34;
const TOP = 90;
const columns = ['HAN port and protection', 'current limiter', 'storage and on/off switch', 'buck-boost converter', 'ESP32 and its header'];
const power = new Set(['GND', '+3V3', 'VCAP', 'HAN_VCC', 'VCC_P']);

function box(p: Part, x: number, y: number): string[] {
  const left = p.pins.filter((pin) => pin.side === 'left');
  const right = p.pins.filter((pin) => pin.side === 'right');
  const height = 26 + ROW * Math.max(left.length, right.length, 1);
  const out = [
    `<g id="${escape(p.ref)}">`,
    `<text x="${x}" y="${y - 6}" font-weight="bold">${escape(p.ref)} ${escape(p.value)}</text>`,
    `<rect x="${x}" y="${y}" width="${BOX}" height="${height}" rx="3" fill="#f6fafb" stroke="#0d3b4f" stroke-width="1.5"/>`,
    `<text x="${x + BOX / 2}" y="${y + height - 7}" text-anchor="middle" font-size="9" fill="#456">${escape(p.partNumber)}</text>`,
  ];
  const pin = (pin: Pin, index: number, side: 'left' | 'right') => {
    const py = y + 18 + index * ROW;
    const edge = side === 'left' ? x : x + BOX;
    const end = side === 'left' ? x - 22 : x + BOX + 22;
    const inside = side === 'left' ? x + 4 : x + BOX - 4;
    const anchor = side === 'left' ? 'start' : 'end';
    const outside = side === 'left' ? 'end' : 'start';
    const label = pin.net ?? 'open';
    const colour = pin.net === null ? '#999' : power.has(pin.net) ? '#a0301c' : '#0d3b4f';
    out.push(
      `<line x1="${edge}" y1="${py}" x2="${end}" y2="${py}" stroke="#0d3b4f" stroke-width="1.5"/>`,
      `<text x="${(edge + end) / 2}" y="${py - 3}" text-anchor="middle" font-size="9">${escape(pin.number)}</text>`,
      `<text x="${inside}" y="${py + 4}" text-anchor="${anchor}" font-size="10">${escape(pin.name)}</text>`,
      `<text x="${side === 'left' ? end - 3 : end + 3}" y="${py + 4}" text-anchor="${outside}" font-size="10" fill="${colour}">${escape(label)}</text>`,
    );
  };
  left.forEach((p, index) => pin(p, index, 'left'));
  right.forEach((p, index) => pin(p, index, 'right'));
  out.push('</g>');
  return out;
}

export function drawSchematic(list: Part[] = parts): string {
  const body: string[] = [];
  let height = 0;
  columns.forEach((title, column) => {
    const x = column * COLUMN + 90;
    body.push(`<text x="${column * COLUMN + 12}" y="${TOP - 40}" font-size="14" font-weight="bold" fill="#0d3b4f">${escape(title)}</text>`);
    let y = TOP;
    for (const p of list.filter((q) => q.at.x === column).sort((a, b) => a.at.y - b.at.y)) {
      body.push(...box(p, x, y));
      y += 26 + ROW * Math.max(p.pins.filter((q) => q.side === 'left').length, p.pins.filter((q) => q.side === 'right').length, 1) + GAP;
    }
    height = Math.max(height, y);
  });
  const width = columns.length * COLUMN + 20;
  const total = height + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<!-- Generated from hw/netlist.ts by hw/draw.ts: do not edit. Pins that carry the same net name are connected. -->`,
    `<title>PowerMeter ESP32 bridge: HAN port, reverse-polarity and ESD protection, current limiter, 5 F supercapacitor, TLV3012B on/off switch, TPS63802 buck-boost, ESP32 (net-label schematic)</title>`,
    `<rect width="${width}" height="${total}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">PowerMeter ESP32 bridge — every pin numbered; pins with the same net name are connected</text>`,
    ...body,
    `<text x="12" y="${total - 12}" font-size="10" fill="#456">Power nets in red. J1's pin numbers are the HAN slot's contacts (Kamstrup 5512-2584 §3.2, hw/han-socket.svg). hw/netlist.txt lists the same connections.</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export function connectionList(list: Part[] = parts): string {
  const lines = ['# PowerMeter ESP32 bridge: connection list, generated from hw/netlist.ts by hw/draw.ts (do not edit).', '# net: part.pin (pin name), ...'];
  const map = nets(list);
  for (const name of [...map.keys()].sort()) lines.push(`${name}: ${(map.get(name) ?? []).map(({ ref, pin }) => `${ref}.${pin.number} (${pin.name})`).join(', ')}`);
  const open = list.flatMap((p) => p.pins.filter((pin) => pin.net === null).map((pin) => `${p.ref}.${pin.number} (${pin.name})`));
  lines.push(`# left open: ${open.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The bill of materials as a Markdown table: one line per part number and value, with its references and quantity. */
export function billOfMaterials(list: Part[] = parts): string {
  const groups: { parts: Part[] }[] = [];
  for (const p of list) {
    const same = groups.find((g) => g.parts[0]?.partNumber === p.partNumber && g.parts[0].value === p.value);
    if (same === undefined) groups.push({ parts: [p] });
    else same.parts.push(p);
  }
  const byRef = (a: Part, b: Part) => a.ref.localeCompare(b.ref, 'en', { numeric: true });
  const rows = groups.map(({ parts: unsorted }) => {
    const ps = [...unsorted].sort(byRef);
    const first = ps[0] as Part;
    const roles = [...new Set(ps.map((p) => p.role))].join('; ');
    return `| ${ps.map((p) => p.ref).join(', ')} | ${ps.length} | ${first.value} | ${first.maker} ${first.partNumber} | ${first.spec} | ${roles} | [datasheet](${first.datasheet}) |`;
  });
  return ['| ref | qty | value | part | package, tolerance, temperature, rating | what for | |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(fileURLToPath(new URL('../../hw/schematic.svg', import.meta.url)), drawSchematic());
  writeFileSync(fileURLToPath(new URL('../../hw/netlist.txt', import.meta.url)), connectionList());
  console.log(billOfMaterials());
}
