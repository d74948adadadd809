import { readFileSync } from 'node:fs';
import { decodeUsage, runDecode } from './commands/decode.js';

const usage = `usage: powermeter <command> [options]

commands:
  demo                 run the whole pipeline on recorded real frames, with an embedded MQTT broker
  run --options FILE   run the service (options from FILE, else /data/options.json)
  decode [FILE]        decode a capture and print its readings

${decodeUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = {
    stdout: (line: string) => process.stdout.write(`${line}\n`),
    stderr: (line: string) => process.stderr.write(`${line}\n`),
    stdin: () => readFileSync(0),
  };
  switch (command) {
    case 'decode':
      return runDecode(rest, io);
    case 'run': {
      const { runService } = await import('./commands/run.js');
      return runService(rest);
    }
    case 'demo': {
      const { runDemo } = await import('./commands/demo.js');
      return runDemo(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      io.stdout(usage);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`powermeter: unknown command "${command}"\n${usage}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
