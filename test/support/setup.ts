import { beforeEach, onTestFailed } from 'vitest';
import { seed } from './random.js';

// Every random input of a test file comes from one seed: say it when a test fails, so that the run can be replayed.
beforeEach(() => {
  onTestFailed(() => {
    console.error(`random inputs of this test file came from seed ${seed}: POWERMETER_TEST_SEED=${seed} npx vitest run <file> replays them`);
  });
});
