import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryWriter, type WriteResult } from '../directory-writer.js';
import { UpsertDirectoryEntryCommand } from './upsert-directory-entry.command.js';

@CommandHandler(UpsertDirectoryEntryCommand)
export class UpsertDirectoryEntryCommandHandler implements ICommandHandler<UpsertDirectoryEntryCommand> {
  constructor(private readonly writer: DirectoryWriter) {}

  async execute({
    kind,
    record,
    correlationId,
  }: UpsertDirectoryEntryCommand): Promise<WriteResult> {
    const state = await this.writer.check(
      kind,
      record,
      this.writer.referencesOf(record.practiceId),
    );
    return this.writer.write(kind, state, correlationId);
  }
}
