import { benchDecode } from './decode.js';

console.log('PowerMeter benchmark (Node.js %s, %s)\n', process.version, process.arch);
console.log('Decode pipeline, Danish Kamstrup 491-byte frame:');
benchDecode();
