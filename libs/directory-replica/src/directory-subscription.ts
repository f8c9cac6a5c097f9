import { EVENT_SUBSCRIPTION, type EventSubscription } from '@gm/service-kit';
import { DIRECTORY_TOPICS } from './directory-entities.js';
import { DirectoryReplica } from './directory-replica.js';

/**
 * The event consumer of a service whose only subscription is the directory:
 * every directory state event goes into its DirectoryReplica. Provide it
 * with EventConsumerHost; a service consuming other topics too writes its own.
 * Any other event on these topics (a version the replica does not take yet,
 * published beside the one it takes) is ignored, never dead-lettered.
 */
export const directoryReplicaSubscription = {
  provide: EVENT_SUBSCRIPTION,
  inject: [DirectoryReplica],
  useFactory: (directory: DirectoryReplica): EventSubscription => ({
    topics: DIRECTORY_TOPICS,
    handler: async (envelope) => {
      if (directory.handles(envelope.type)) await directory.apply(envelope);
    },
    // Version-checked upserts only.
    idempotent: true,
  }),
};
