// Small DOM helpers: the page is plain DOM, built by these and updated in place.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`the page has no #${id}`);
  return e;
}

/** A colour of the page's theme (style.css), for the plots' canvas. */
export const color = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Fetches JSON from the page's API (relative URLs: the page lives under Home Assistant's ingress prefix). */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** POSTs JSON to the page's API; the answer's JSON and status, whatever the status. */
export async function postJson<T>(path: string, body: unknown): Promise<{ status: number; answer: T }> {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, answer: (await res.json()) as T };
}
