import type { SourceSpec } from '../core/events.js';
import type { Keys } from '../dlms/cipher.js';
import type { Logger } from '../base/log.js';
import type { Dashboard } from '../page/dashboard.js';
import type { KeyTarget, PageServer } from '../page/server.js';
import { userOptions } from './options.js';

/** Where the options live and how the add-on restarts: the Supervisor's API, inside the add-on. */
export interface OptionsStore {
  read(): Promise<Record<string, unknown>>;
  write(options: Record<string, unknown>): Promise<void>;
  restart(): Promise<void>;
}

/** The page (ingress in the add-on, `--http` outside it). */
export interface PageSettings {
  readonly host: string;
  readonly port: number;
  readonly allow: 'any' | readonly string[];
  /** Inside the add-on: checked keys can be saved into the options, and the add-on restarted. */
  readonly options?: OptionsStore;
}

/**
 * Starts the page. A page that cannot listen (the port is taken) is said in the log; the service goes on without it.
 */
export async function openPage(settings: PageSettings, dashboard: Dashboard, specs: readonly SourceSpec[], logger: Logger, now: () => number): Promise<PageServer | null> {
  const store = settings.options;
  const saveKeys = store
    ? async (keys: Keys, target: KeyTarget) => {
        const index = specs.findIndex((s) => s.id === target.source);
        if (index < 0) return { saved: false, message: 'no frame of this meter is held: wait for the meter to send, then check again' };
        const place = { sourceIndex: index, multiStream: specs[index]?.multiStream === true, systemTitle: target.systemTitle };
        try {
          // Only what the user set, and the keys: the defaults stay defaults (options/supervisor.ts, userOptions).
          const { withKeys } = await import('../page/save-keys.js');
          await store.write(userOptions(withKeys(await store.read(), place, keys)));
        } catch (error) {
          return { saved: false, message: `the Supervisor did not take the options: ${(error as Error).message}` };
        }
        logger.info('page: the checked keys were saved into the options; restarting the add-on');
        // After the answer has gone out: the restart ends this process.
        setTimeout(() => void store.restart().catch((error: unknown) => logger.error(`page: the Supervisor did not restart the add-on: ${(error as Error).message}; restart it by hand`)), 500).unref();
        return { saved: true, message: 'saved into the options; the add-on restarts now and uses them' };
      }
    : undefined;
  try {
    // Loaded here, not with the service: the page is served after the sources are dialled (issue #30, cold start).
    const { startPage } = await import('../page/server.js');
    const server = await startPage({ host: settings.host, port: settings.port, allow: settings.allow, dashboard, logger, now, saveKeys });
    logger.info({ url: server.url }, 'page: serving');
    return server;
  } catch (error) {
    logger.error(`page: cannot serve on ${settings.host}:${settings.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the service goes on without it`);
    return null;
  }
}

/**
 * The page opened `afterMs` from now (at once when absent or 0). `cancel` before then, at a stop: it is never opened,
 * and `page` gives null.
 */
export function openPageLater<T>(afterMs: number | undefined, open: () => Promise<T | null>): { readonly page: Promise<T | null>; readonly cancel: () => void } {
  let timer: NodeJS.Timeout | null = null;
  let unopened: (() => void) | null = null;
  const page = new Promise<T | null>((resolve) => {
    unopened = () => resolve(null);
    const go = () => {
      timer = null;
      unopened = null;
      resolve(open());
    };
    if (afterMs) timer = setTimeout(go, afterMs);
    else go();
  });
  return {
    page,
    cancel: () => {
      if (timer) clearTimeout(timer);
      unopened?.();
    },
  };
}
