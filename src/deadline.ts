/**
 * `work`'s outcome, or after `ms` milliseconds without one, what `late` answers (or throws); the
 * timer is cleared either way, so a settled race leaves nothing to keep the process alive.
 */
export async function raceDeadline<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
