export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said in the error when time runs out. */
  description?: string;
}

/**
 * Polls until `probe` returns a value that `accept` takes, or fails after a
 * bound: eventual consistency is waited for, never slept through.
 */
export async function waitFor<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 15000, intervalMs = 100, description = 'condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen = lastError
    ? ` (last error: ${String(lastError)})`
    : ` (last value: ${JSON.stringify(last)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${seen}`);
}
