import type { EventEnvelope } from '@gm/contracts';

/**
 * Walks a partition's events in their order for a batch handler: each run
 * of consecutive events that `together` picks is handed to `run` at once;
 * every other event goes to `one` in its place, after the run before it
 * (so an event that changes what the run's handling reads is never
 * overtaken).
 */
export async function inRuns(
  envelopes: readonly EventEnvelope[],
  together: (envelope: EventEnvelope) => boolean,
  run: (envelopes: EventEnvelope[]) => Promise<unknown>,
  one: (envelope: EventEnvelope) => Promise<unknown>,
): Promise<void> {
  let pending: EventEnvelope[] = [];
  const flush = async () => {
    if (pending.length) await run(pending);
    pending = [];
  };
  for (const envelope of envelopes) {
    if (together(envelope)) {
      pending.push(envelope);
      continue;
    }
    await flush();
    await one(envelope);
  }
  await flush();
}
