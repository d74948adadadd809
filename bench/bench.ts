import { benchDecode } from './decode.js';
import { benchService } from './service.js';

/** `npm run bench` runs both parts; `npm run bench -- decode` or `-- service` runs one. */
const only = process.argv[2];
console.log('PowerMeter benchmark (Node.js %s, %s)\n', process.version, process.arch);
if (only !== 'service') {
  console.log('Decode pipeline, Danish Kamstrup 491-byte frame:');
  benchDecode();
}
if (only !== 'decode') {
  console.log('\nService (powermeter run) between a TCP bridge and a local broker:');
  await benchService();
}
