import { notYetConsistent } from '../domain/inbox-errors.js';

const POLL_MS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Loads once, or, when the caller named a write of theirs (`?after=`, the
 * older form of a Consistency-Token, ADR 0018), again every 25 ms until
 * `reached` holds; if it does not within `waitMs`, the read is refused
 * with 503 `not-yet-consistent`, as a token would be.
 */
export async function loadOnceReached<T>(
  load: () => Promise<T>,
  reached: (value: T) => boolean,
  asked: boolean,
  waitMs: number,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let value = await load();
  if (!asked) return value;
  while (!reached(value)) {
    if (Date.now() >= deadline) throw notYetConsistent();
    await sleep(POLL_MS);
    value = await load();
  }
  return value;
}
