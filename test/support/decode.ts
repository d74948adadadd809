import { PassThrough, Readable } from 'node:stream';
import { runDecode } from '../../src/commands/decode.js';

/** `powermeter decode` in process: its exit code, standard output and standard error. */
export async function decode(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runDecode(args, { stdout, stderr, stdin: Readable.from([]) });
  return { code, out: out.join(''), err: err.join('') };
}
