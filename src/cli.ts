import { decodeUsage, runDecode } from './commands/decode.js';
import { VERSION } from './base/version.js';

const usage = `usage: powermeter <command> [options]

commands:
  demo                 run the whole pipeline on recorded real frames, with an embedded MQTT broker and the page
  run --options FILE   run the service (options from FILE, else /data/options.json); --http HOST:PORT serves the page
  decode [FILE]        decode a capture and print its readings
  help, --help         this text
  --version            the version

${decodeUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'decode':
      return runDecode(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
    case 'run': {
      const { runService } = await import('./commands/run.js');
      return runService(rest);
    }
    case 'demo': {
      const { runDemo } = await import('./commands/demo.js');
      return runDemo(rest);
    }
    case '--version':
    case 'version':
      out(VERSION);
      return 0;
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      if (command === undefined) {
        process.stderr.write(`${usage}\n`);
        return 2;
      }
      out(usage);
      return 0;
    default:
      process.stderr.write(`powermeter: unknown command "${command}"\n${usage}\n`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
