import {
  buildEnvelope,
  MessageGroupCreatedV1,
  MessageGroupDeletedV1,
  MessageGroupUpdatedV1,
  type EventDefinition,
} from '@gm/contracts';
import { newEventMetadata, type PendingEvent } from '@gm/messaging';
import type { MessageGroupState } from '../domain/message-group.js';

const SOURCE = '/services/group-config';

/** An event of this service, ready for a document's outbox. */
export function pending<T>(
  definition: EventDefinition<T>,
  data: T,
  practiceId: string,
  correlationId: string,
  time: string,
) {
  const metadata = { ...newEventMetadata({ source: SOURCE, practiceId, correlationId }), time };
  return { definition, envelope: buildEnvelope(definition, data, metadata) } as PendingEvent;
}

/** Created and Updated carry the full state (compacted topic, key = group id). */
export function groupStateEvent(
  kind: 'created' | 'updated',
  state: MessageGroupState,
  version: number,
  correlationId: string,
): PendingEvent {
  const changedAt = new Date().toISOString();
  const definition = kind === 'created' ? MessageGroupCreatedV1 : MessageGroupUpdatedV1;
  return pending(
    definition,
    { ...state, version, changedAt },
    state.practiceId,
    correlationId,
    changedAt,
  );
}

export function groupDeletedEvent(
  state: MessageGroupState,
  version: number,
  correlationId: string,
): PendingEvent {
  const changedAt = new Date().toISOString();
  const data = {
    practiceId: state.practiceId,
    groupId: state.groupId,
    name: state.name,
    version,
    changedAt,
  };
  return pending(MessageGroupDeletedV1, data, state.practiceId, correlationId, changedAt);
}
