import { benchDecode } from './decode.js';

// Run by `npm run bench -- decode` in a process of its own, with the add-on's Node flags (--jitless among them).
benchDecode(Number(process.argv[2] ?? 6));
