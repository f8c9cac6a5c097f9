import { Command } from '@nestjs/cqrs';
import type { DirectoryKind, DirectoryRecords } from '../../domain/directory-records.js';
import type { WriteResult } from '../directory-writer.js';

/** Create or change one directory entry (the EHR feed, one entity at a time). */
export class UpsertDirectoryEntryCommand<
  K extends DirectoryKind = DirectoryKind,
> extends Command<WriteResult> {
  constructor(
    readonly kind: K,
    readonly record: DirectoryRecords[K],
    readonly correlationId: string,
  ) {
    super();
  }
}
