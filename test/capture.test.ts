import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDecode } from '../src/commands/decode.js';
import { CaptureRecorder } from '../src/service/capture-recorder.js';
import { captureLogger } from './support/capture-logger.js';
import { bytesOf, danish } from './support/vectors.js';

describe('capture for bug reports', () => {
  it('records the bytes as received for the given minutes, in the format decode reads, without the keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powermeter-capture-'));
    let now = Date.UTC(2026, 10, 23, 20, 0, 0);
    const log = captureLogger();
    const recorder = new CaptureRecorder(join(dir, 'share', 'powermeter'), 2, log.logger, () => now);
    const frame = bytesOf(danish);
    recorder.write(frame.subarray(0, 100));
    recorder.write(frame.subarray(100));
    now += 121_000; // past the two minutes: nothing more is recorded
    recorder.write(frame);
    expect(log.lines.some((l) => /capture finished: attach the file to a bug report/.test(l))).toBe(true);

    const text = readFileSync(recorder.file, 'utf8');
    expect(text).not.toContain(danish.keys!.encryption!);
    expect(text).not.toContain(danish.keys!.encryption!.toLowerCase());
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const code = await runDecode(['--encryption-key', danish.keys!.encryption!, '--authentication-key', danish.keys!.authentication!, recorder.file], { stdout, stderr, stdin: Readable.from([]) });
    const out = (stdout.read() as Buffer).toString().trim().split('\n');
    const err = (stderr.read() as Buffer).toString().trim().split('\n');
    expect(code).toBe(0);
    expect(out).toHaveLength(1); // the frame recorded after the two minutes is not there
    expect(JSON.parse(out[0]!) as { meterId: string }).toMatchObject({ meterId: '27581522' });
    expect(err.at(-1)).toMatch(/^key check: authenticated/);
  });

  it('a folder it cannot write is one clear error, and the service goes on', () => {
    const log = captureLogger();
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'powermeter-capture-')), 'file');
    writeFileSync(notAFolder, '');
    const recorder = new CaptureRecorder(join(notAFolder, 'powermeter'), 5, log.logger);
    recorder.write(Buffer.from('7e'));
    expect(log.lines.filter((l) => /ERROR cannot record a capture/.test(l))).toHaveLength(1);
  });
});
