/**
 * Reads `read` every 100 ms until `done` holds of what it answers or `timeoutMs` has passed, and
 * answers the last value read: the test then asserts on it, so a timeout fails with what was seen.
 */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
