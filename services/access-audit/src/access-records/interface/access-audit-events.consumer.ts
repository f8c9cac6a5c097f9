import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AccessRecordedV1, AccessRecordedV2, TOPICS, type EventEnvelope } from '@gm/contracts';
import { DIRECTORY_TOPICS, DirectoryReplica } from '@gm/directory-replica';
import { UnprocessableEvent } from '@gm/messaging';
import { RecordAccessCommand } from '../application/record-access/record-access.command.js';

/**
 * The record an event carries, in v2's shape: a v1 record is a served
 * access to one thread. Null for any other event.
 */
function recordOf(envelope: EventEnvelope): AccessRecordedV2 | null {
  if (envelope.type === AccessRecordedV2.type) return envelope.data as AccessRecordedV2;
  if (envelope.type !== AccessRecordedV1.type) return null;
  const v1 = envelope.data as AccessRecordedV1;
  return { ...v1, threadIds: [v1.threadId], outcome: 'served', refusal: null, listing: null };
}

/**
 * One consumer group: the audit topic, and the directory topics for the
 * audit privilege. The contract (schema, practice = key) is checked by the
 * EventConsumer before this runs; what fails it is dead-lettered.
 */
@Injectable()
export class AccessAuditEventsConsumer {
  readonly topics = [TOPICS.accessAudit.name, ...DIRECTORY_TOPICS];

  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryReplica,
  ) {}

  async handle(envelope: EventEnvelope): Promise<void> {
    if (this.directory.handles(envelope.type)) {
      await this.directory.apply(envelope);
      return;
    }
    const data = recordOf(envelope);
    if (!data) return;
    if (data.recordId !== envelope.id) {
      // Producers make the record id the event id; anything else is not a record we can dedupe.
      throw new UnprocessableEvent('recordId differs from ce_id');
    }
    await this.commands.execute(
      new RecordAccessCommand({
        recordId: data.recordId,
        practiceId: data.practiceId,
        actor: { kind: data.actor.kind, id: data.actor.id },
        action: data.action,
        threadId: data.threadId,
        threadIds: [...data.threadIds],
        outcome: data.outcome,
        refusal: data.refusal,
        listing: data.listing && { ...data.listing },
        // One form (UTC, milliseconds) so that stored times order as strings.
        occurredAt: new Date(data.occurredAt).toISOString(),
        source: { ip: data.source.ip, userAgent: data.source.userAgent },
        correlationId: data.correlationId,
        recordedBy: envelope.source,
      }),
    );
  }
}
