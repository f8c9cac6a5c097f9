import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DIRECTORY_KINDS,
  type DirectoryKind,
  type DirectoryRecords,
} from '../../domain/directory-records.js';
import { bundleRecords, referencesWithin } from '../../domain/practice-bundle.js';
import { DirectoryWriter } from '../directory-writer.js';
import {
  ImportPracticeBundleCommand,
  type ImportResult,
} from './import-practice-bundle.command.js';

/**
 * Checks the whole bundle first (references may point into the bundle or at
 * entries already stored), so a bad bundle changes nothing; then writes
 * entries in dependency order. Each entry is its own atomic write, and a
 * re-import of the same bundle writes and publishes nothing.
 */
@CommandHandler(ImportPracticeBundleCommand)
export class ImportPracticeBundleCommandHandler implements ICommandHandler<ImportPracticeBundleCommand> {
  constructor(private readonly writer: DirectoryWriter) {}

  async execute({ bundle, correlationId }: ImportPracticeBundleCommand): Promise<ImportResult> {
    const records = bundleRecords(bundle);
    const references = referencesWithin(
      bundle,
      this.writer.referencesOf(bundle.practice.practiceId),
    );
    const checked: { kind: DirectoryKind; state: DirectoryRecords[DirectoryKind] }[] = [];
    for (const kind of DIRECTORY_KINDS) {
      for (const record of records[kind]) {
        checked.push({ kind, state: await this.writer.check(kind, record, references) });
      }
    }
    const entries = [];
    for (const { kind, state } of checked)
      entries.push(await this.writer.write(kind, state, correlationId));
    const written = entries.filter((entry) => entry.changed).length;
    return { written, unchanged: entries.length - written, entries };
  }
}
