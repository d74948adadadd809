export function runDemo(_argv: string[]): Promise<number> {
  process.stderr.write('powermeter demo: not available yet\n');
  return Promise.resolve(1);
}
