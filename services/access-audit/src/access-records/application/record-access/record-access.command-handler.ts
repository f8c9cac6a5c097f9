import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessRecordsRepository } from '../../infrastructure/access-records.repository.js';
import { RecordAccessCommand } from './record-access.command.js';

/**
 * Stores a record as it was reported, once: a redelivered event (same
 * record id) finds it stored and changes nothing, so the trail never
 * rewrites what it holds.
 */
@CommandHandler(RecordAccessCommand)
export class RecordAccessCommandHandler implements ICommandHandler<RecordAccessCommand> {
  constructor(private readonly records: AccessRecordsRepository) {}

  execute({ record }: RecordAccessCommand): Promise<boolean> {
    return this.records.insertOnce(record);
  }
}
