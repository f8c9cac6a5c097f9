/**
 * A known event the directory replica does not take (a version published
 * beside the one it takes, ADR 0023) is ignored, never dead-lettered.
 */
import type { EventEnvelope } from '@gm/contracts';
import type { EventContext } from '@gm/messaging';
import type { DirectoryReplica } from './directory-replica.js';
import { directoryReplicaSubscription } from './directory-subscription.js';

const context: EventContext = { topic: 'gm.directory.members', partition: 0, offset: '7' };
const envelope = (type: string) => ({ type, data: {} }) as EventEnvelope;

describe('directoryReplicaSubscription', () => {
  const applied: string[] = [];
  const replica = {
    handles: (type: string) => type === 'gm.directory.member-changed.v1',
    apply: async (event: EventEnvelope) => {
      applied.push(event.type);
      return 'applied';
    },
  } as unknown as DirectoryReplica;
  const { handler } = directoryReplicaSubscription.useFactory(replica);

  it('applies the directory events the replica takes', async () => {
    await handler(envelope('gm.directory.member-changed.v1'), context);
    expect(applied).toEqual(['gm.directory.member-changed.v1']);
  });

  it('ignores a known event the replica does not take, without throwing (no dead letter)', async () => {
    await expect(
      handler(envelope('gm.message-group.created.v1'), context),
    ).resolves.toBeUndefined();
    expect(applied).toEqual(['gm.directory.member-changed.v1']);
  });
});
