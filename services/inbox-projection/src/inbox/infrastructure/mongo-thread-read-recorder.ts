import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { AccessRecordsOutbox, accessRecordedEvent, type ThreadAccess } from '@gm/access-recording';
import { OutboxRelayHost } from '@gm/service-kit';
import type { Connection } from 'mongoose';
import { ThreadReadRecorder } from '../application/thread-read-recorder.js';

const SOURCE = '/services/inbox-projection';

/**
 * Inserts the access record with its AccessRecorded event in its outbox
 * (one insert: durable or not at all); the service's outbox relay publishes
 * it to gm.access-audit.
 */
@Injectable()
export class MongoThreadReadRecorder extends ThreadReadRecorder {
  private readonly outbox: AccessRecordsOutbox;

  constructor(
    @InjectConnection() connection: Connection,
    private readonly relay: OutboxRelayHost,
  ) {
    super();
    if (!connection.db)
      throw new Error('the access recorder needs a connected mongoose connection');
    this.outbox = new AccessRecordsOutbox(connection.db);
  }

  ensureIndexes(): Promise<void> {
    return this.outbox.ensureIndexes();
  }

  async record(access: ThreadAccess): Promise<void> {
    await this.outbox.insert(accessRecordedEvent(SOURCE, access));
    this.relay.nudge();
  }
}
