import {
  buildEnvelope,
  MemberChangedV1,
  type EventDefinition,
  type MemberChangedV1 as MemberChanged,
} from '@gm/contracts';
import { randomUUID } from 'node:crypto';
import type { PendingEvent } from '../outbox/outbox-writes.js';

/** MemberChanged events on a topic of the test's own, so runs never share topics. */
export function memberChanged(
  topic: string,
  practiceId: string,
  memberId: string,
  version: number,
  displayName = `Member ${memberId}`,
): PendingEvent {
  const definition = {
    ...MemberChangedV1,
    topic: { ...MemberChangedV1.topic, name: topic },
  } as EventDefinition<unknown>;
  const data: MemberChanged = {
    practiceId,
    memberId,
    displayName,
    roleId: null,
    active: true,
    version,
    changedAt: new Date().toISOString(),
  };
  const envelope = buildEnvelope(MemberChangedV1, data, {
    id: randomUUID(),
    source: '/tests/walking-skeleton',
    time: data.changedAt,
    practiceId,
    correlationId: randomUUID(),
  });
  return { definition, envelope };
}
