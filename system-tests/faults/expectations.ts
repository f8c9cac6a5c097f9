/**
 * What both fault worlds must show afterwards: the load ran through every
 * fault, no service died on its own, the system went quiet, and every
 * accepted message is in exactly its places once, with nothing else anywhere.
 */
import type { FaultWorld } from './world.js';

type Outcome = Awaited<ReturnType<FaultWorld['runUnderLoad']>>;

export function expectEveryAcceptedMessageOnce(world: FaultWorld, result: Outcome): void {
  const { figures } = result;
  for (const fault of result.faults)
    expect({ [fault.fault]: fault.sentDuring > 0 }).toEqual({ [fault.fault]: true });
  expect(world.services.exited()).toEqual([]);
  expect(result.quiet).toBe(true);
  expect(figures.details).toEqual([]);
  expect({
    lost: figures.lost,
    duplicates: figures.duplicates,
    unexpected: figures.unexpected,
    failed: figures.failed,
    delivered: figures.delivered,
  }).toEqual({
    lost: 0,
    duplicates: 0,
    unexpected: 0,
    failed: 0,
    delivered: figures.accepted,
  });
  expect(figures.accepted).toBeGreaterThan(0);
}
