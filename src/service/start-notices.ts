import { hostTimeZone, unknownTimeZone } from '../accounting/time-zone.js';
import type { CoreOptions } from '../core/core-options.js';
import type { Notice } from '../core/notices.js';
import type { Logger } from '../base/log.js';
import type { StoreProblem } from './state-store.js';

/** What the core says first: a state file it could not use, a time zone the system does not know. */
export function startNotices(problems: readonly StoreProblem[], timeZone: string): NonNullable<CoreOptions['startNotices']>[number][] {
  const out: NonNullable<CoreOptions['startNotices']>[number][] = [];
  for (const p of problems) {
    if (p.kind === 'newer') out.push({ id: 'store-newer', context: { path: p.path, version: p.version } });
    else out.push({ id: 'store-bad', context: { path: p.path, aside: p.aside, problem: p.problem } });
  }
  const unknown = timeZone === hostTimeZone() ? unknownTimeZone() : null;
  if (unknown !== null) out.push({ id: 'time-zone', context: { zone: unknown, used: 'UTC' } });
  return out;
}

/** Writes a notice to the log; its scope (`source=…`, `meter=…`) becomes a field of the line. */
export function log(logger: Logger, n: Notice): void {
  const at = n.scope?.indexOf('=') ?? -1;
  const fields = n.scope && at > 0 ? { [n.scope.slice(0, at)]: n.scope.slice(at + 1) } : {};
  logger[n.level](fields, n.text);
}
