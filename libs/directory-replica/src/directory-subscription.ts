import { EVENT_SUBSCRIPTION, type EventSubscription } from '@gm/service-kit';
import { DIRECTORY_TOPICS } from './directory-entities.js';
import { DirectoryReplica } from './directory-replica.js';

/**
 * The event consumer of a service whose only subscription is the directory:
 * every directory state event goes into its DirectoryReplica. Provide it
 * with EventConsumerHost; a service consuming other topics too writes its own.
 */
export const directoryReplicaSubscription = {
  provide: EVENT_SUBSCRIPTION,
  inject: [DirectoryReplica],
  useFactory: (directory: DirectoryReplica): EventSubscription => ({
    topics: DIRECTORY_TOPICS,
    handler: async (envelope) => void (await directory.apply(envelope)),
    // Version-checked upserts only.
    idempotent: true,
  }),
};
