/** How long a read that names a version waits for the projection to reach it. */
export const READ_YOUR_WRITES_MS = 2000;

const POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Loads once, or, when the caller asked for a write of theirs (`asked`),
 * again every 50 ms until `reached` holds or the wait is over; answers the
 * last load either way (the caller decides what an unreached state means).
 */
export async function loadOnceReached<T>(
  load: () => Promise<T>,
  reached: (value: T) => boolean,
  asked: boolean,
): Promise<T> {
  const deadline = Date.now() + (asked ? READ_YOUR_WRITES_MS : 0);
  let value = await load();
  while (asked && !reached(value) && Date.now() < deadline) {
    await sleep(POLL_MS);
    value = await load();
  }
  return value;
}
