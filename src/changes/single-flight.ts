/**
 * Shares one run of the same work among callers that ask for it while it runs: the change streams
 * that a write wakes at once ask for the same page, and the log is then read once for all of them
 * rather than once per stream. Nothing is kept once the work settles, so a later caller reads anew.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const shared = this.running.get(key);
    if (shared) return shared;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
