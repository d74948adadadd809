import cron from 'node-cron';

/**
 * The time-based jobs, on node-cron: today the full hour that rolls the energy periods over. node-cron 3 is used
 * without a time zone on purpose: it then reads the clock through Date's local-time methods, in the process's own
 * zone (TZ, which the Supervisor sets to Home Assistant's), and never touches Intl, whose locale data would cost the
 * process about 8 MB. Its own check once a second also catches a clock set forward by NTP or a suspended machine.
 */
export function everyFullHour(job: () => void): () => void {
  const task = cron.schedule('0 0 * * * *', job);
  return () => task.stop();
}
