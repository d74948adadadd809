export function runService(_argv: string[]): Promise<number> {
  process.stderr.write('powermeter run: not available yet\n');
  return Promise.resolve(1);
}
