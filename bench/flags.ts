/**
 * The Node flags of the add-on's s6 run script (rootfs/etc/s6-overlay/s6-rc.d/powermeter/run; a test keeps the two
 * equal), which every benchmark of the service and the floor runs with.
 */
export const nodeFlags = ['--max-semi-space-size=1', '--optimize-for-size', '--jitless', '--no-expose-wasm'];
