import { benchDecode } from './decode.js';
import { benchService } from './service.js';

console.log('PowerMeter benchmark (Node.js %s, %s)\n', process.version, process.arch);
console.log('Decode pipeline, Danish Kamstrup 491-byte frame:');
benchDecode();
console.log('\nService (powermeter run) between a TCP bridge and a local broker:');
await benchService();
