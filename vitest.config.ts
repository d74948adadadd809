import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests start real brokers and pseudo-terminals; two cores run them comfortably in parallel.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
