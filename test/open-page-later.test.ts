import { afterEach, describe, expect, it, vi } from 'vitest';
import { openPageLater } from '../src/service/open-page.js';

// A stand-in for the server openPage would start: only its identity is looked at.
const server = { url: 'http://127.0.0.1:8099' };

describe('openPageLater: the page a second after the start (`run`), not on the way to the first state', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens it once the time has come, and not before', async () => {
    vi.useFakeTimers();
    const open = vi.fn(() => Promise.resolve(server));
    const { page } = openPageLater(1000, open);
    vi.advanceTimersByTime(999);
    expect(open).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(open).toHaveBeenCalledTimes(1);
    expect(await page).toBe(server);
  });

  it('never opens it when the service stops first, and gives null', async () => {
    vi.useFakeTimers();
    const open = vi.fn(() => Promise.resolve(server));
    const { page, cancel } = openPageLater(1000, open);
    cancel();
    vi.advanceTimersByTime(5000);
    expect(open).not.toHaveBeenCalled();
    expect(await page).toBeNull();
  });

  it('opens it at once without a delay; a cancel after that changes nothing', async () => {
    const open = vi.fn(() => Promise.resolve(server));
    const { page, cancel } = openPageLater(undefined, open);
    expect(open).toHaveBeenCalledTimes(1);
    cancel();
    expect(await page).toBe(server);
  });
});
