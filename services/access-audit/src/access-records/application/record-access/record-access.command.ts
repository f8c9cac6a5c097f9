import { Command } from '@nestjs/cqrs';
import type { AccessRecord } from '../../domain/access-record.js';

/** Store one access record published on the audit topic; true if it was new. */
export class RecordAccessCommand extends Command<boolean> {
  constructor(readonly record: AccessRecord) {
    super();
  }
}
