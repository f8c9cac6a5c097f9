import { Command } from '@nestjs/cqrs';
import type { PracticeBundle } from '../../domain/practice-bundle.js';
import type { WriteResult } from '../directory-writer.js';

export interface ImportResult {
  written: number;
  unchanged: number;
  entries: WriteResult[];
}

/** Import a whole practice: practice, facilities, categories, roles, members, patients. */
export class ImportPracticeBundleCommand extends Command<ImportResult> {
  constructor(
    readonly bundle: PracticeBundle,
    readonly correlationId: string,
  ) {
    super();
  }
}
