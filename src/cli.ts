import { VERSION } from './base/version.js';

// Each command's modules are loaded when it runs: `run` does not load what only `decode` uses (issue #30, cold start).
const usage = async (): Promise<string> => `usage: powermeter <command> [options]

commands:
  demo                 run the whole pipeline on recorded real frames, with an embedded MQTT broker and the page
  run --options FILE   run the service (options from FILE, else /data/options.json); --http HOST:PORT serves the page
  decode [FILE]        decode a capture and print its readings
  help, --help         this text
  --version            the version

${(await import('./commands/decode.js')).decodeUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'decode': {
      const { runDecode } = await import('./commands/decode.js');
      return runDecode(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
    }
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
        process.stderr.write(`${await usage()}\n`);
        return 2;
      }
      out(await usage());
      return 0;
    default:
      process.stderr.write(`powermeter: unknown command "${command}"\n${await usage()}\n`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
