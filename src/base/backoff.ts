/** Exponential back-off with a ceiling: 1 s, 2 s, 4 s … 30 s; reset by a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  next(): number {
    const ms = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    return ms;
  }

  reset(): void {
    this.attempt = 0;
  }
}
