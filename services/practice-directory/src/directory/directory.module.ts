import { Module, type OnModuleInit } from '@nestjs/common';
import { outboxRelayProviders } from '@gm/service-kit';
import { DirectoryWriter } from './application/directory-writer.js';
import { ImportPracticeBundleCommandHandler } from './application/import-practice-bundle/import-practice-bundle.command-handler.js';
import { UpsertDirectoryEntryCommandHandler } from './application/upsert-directory-entry/upsert-directory-entry.command-handler.js';
import {
  DIRECTORY_COLLECTIONS,
  DirectoryEntriesRepository,
} from './infrastructure/directory-entries.repository.js';
import { DirectoryHttpController } from './interface/directory.http.controller.js';

const commandHandlers = [UpsertDirectoryEntryCommandHandler, ImportPracticeBundleCommandHandler];
const application = [DirectoryWriter];
const infrastructure = [
  DirectoryEntriesRepository,
  ...outboxRelayProviders(Object.values(DIRECTORY_COLLECTIONS)),
];

@Module({
  controllers: [DirectoryHttpController],
  providers: [...commandHandlers, ...application, ...infrastructure],
})
export class DirectoryModule implements OnModuleInit {
  constructor(private readonly entries: DirectoryEntriesRepository) {}

  async onModuleInit(): Promise<void> {
    await this.entries.ensureIndexes();
  }
}
