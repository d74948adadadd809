import { createRequire } from 'node:module';
import type { ScheduledTask } from 'node-cron';
import { LOCAL_TIME_ZONE, nextFullHour } from '../accounting/time-zone.js';
import { EVERY_QUARTER_HOUR } from '../prices/schedule.js';

/**
 * node-cron, loaded when its first task is started, not with the service: its load was 17–19 ms of the service's
 * cold start under the add-on's flags (issue #30), for a task first started up to an hour later. Loaded with
 * `require` (it is CommonJS), so that starting it stays synchronous.
 */
const cron = (): typeof import('node-cron') => createRequire(import.meta.url)('node-cron') as typeof import('node-cron');

/** How long before its time node-cron's task is started: its check runs once a second, so two checks lead in. */
const LEAD_MS = 2000;
/**
 * The longest the timer that starts it waits: the time to wait is worked out on the wall clock, which NTP may step
 * (a Raspberry Pi without a clock battery boots hours behind), so it is worked out again at least this often.
 */
const RECHECK_MS = 10 * 60_000;
/** A task started and not run within this long (the clock stepped back meanwhile) is stopped and armed afresh. */
const GIVE_UP_MS = LEAD_MS + 3000;

/**
 * Runs `job` when node-cron's `expression` matches, for a calendar-shaped time whose next instant `nextAt` gives.
 * node-cron 3 checks the clock once a second for as long as a task is started (node-cron/src/scheduler.js,
 * `setTimeout(matchTime, 1000)` for ever): measured under the add-on's flags it was most of what the idle service
 * did, about 1 ms of CPU a second (npm run bench -- service, issue #30). So its task is started only LEAD_MS before
 * `nextAt` by one timer, node-cron matches the expression and runs the job as it always did, and the task is stopped
 * once it has: three checks an hour instead of 3600. Without a time zone on purpose: node-cron then reads the clock
 * through Date's local-time methods, in the process's own zone (TZ, which the Supervisor sets to Home Assistant's),
 * and never touches Intl, whose locale data would cost the process about 8 MB.
 */
export function onCalendar(expression: string, nextAt: (now: number) => number, job: () => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let made: ScheduledTask | null = null;
  const task = (): ScheduledTask =>
    (made ??= cron().schedule(
      expression,
      () => {
        // node-cron re-arms its check after the job returns (scheduler.js): stop it once that is done.
        queueMicrotask(() => {
          task().stop();
          arm();
        });
        job();
      },
      { scheduled: false },
    ));
  const wait = (ms: number, then: () => void): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!stopped) then();
    }, ms);
    timer.unref();
  };
  const arm = (): void => {
    if (stopped) return;
    const now = Date.now();
    const lead = nextAt(now) - LEAD_MS - now;
    if (lead > RECHECK_MS) {
      wait(RECHECK_MS, arm);
      return;
    }
    wait(Math.max(0, lead), () => {
      task().start();
      wait(GIVE_UP_MS, () => {
        task().stop();
        arm();
      });
    });
  };
  arm();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    made?.stop();
  };
}

/** The full hour that rolls the energy periods over, in the process's zone. */
export function everyFullHour(job: () => void): () => void {
  return onCalendar('0 0 * * * *', (now) => nextFullHour(now, LOCAL_TIME_ZONE), job);
}

const QUARTER_MS = 15 * 60_000;

/** Every quarter hour, when the prices are fetched: a quarter hour of UTC is one in every zone (offsets are whole quarters). */
export function everyQuarterHour(job: () => void): () => void {
  return onCalendar(EVERY_QUARTER_HOUR, (now) => (Math.floor(now / QUARTER_MS) + 1) * QUARTER_MS, job);
}
