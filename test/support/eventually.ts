/**
 * Waits for what a test expects, not for a time: `check` is run until it passes (it throws or rejects, typically an
 * `expect`, while it does not), and its last failure is the test's failure once the deadline has passed.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
