/**
 * The Node flags of the add-on's s6 run script (rootfs/etc/s6-overlay/s6-rc.d/powermeter/run; a test keeps the two
 * equal), which every benchmark of the service and the floor runs with. Each is there for what it measurably does
 * (issue #30; the figures in docs/scaling.md):
 *
 * - `--jitless`: no JIT compiler. One meter's service holds 53 MB instead of 66 after 60 s at a frame every 2 s; a
 *   1000-meter fleet uses 12.4 % of a core instead of 9.0 %, for 83 MB instead of 100.
 * - `--optimize-for-size`: V8's small heap (among others a 1 MB young generation): a 1000-meter fleet holds 83 MB
 *   instead of 118; one meter's service the same either way (within 1 MB).
 * - `--no-expose-wasm`: implied by --jitless, which without it prints "Warning: disabling flag --expose_wasm due to
 *   conflicting flags" into the add-on's log at every start.
 *
 * `--max-semi-space-size=1`, which the add-on had, is gone: --optimize-for-size gives the young generation that
 * size already, and the fleet measured the same without it (82.2 MB, 13.1 %, against 83.3 MB, 12.4 %).
 */
export const nodeFlags = ['--optimize-for-size', '--jitless', '--no-expose-wasm'];
