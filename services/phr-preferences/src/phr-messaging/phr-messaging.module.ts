import { Module, type OnModuleInit } from '@nestjs/common';
import { directoryReplicaSubscription } from '@gm/directory-replica';
import { EventConsumerHost, outboxRelayProviders } from '@gm/service-kit';
import { GetPhrPreferencesQueryHandler } from './application/get-phr-preferences/get-phr-preferences.query-handler.js';
import { PhrSettingsAccess } from './application/phr-settings-access.js';
import { UpdatePhrPreferencesCommandHandler } from './application/update-phr-preferences/update-phr-preferences.command-handler.js';
import {
  PHR_PREFERENCES_COLLECTION,
  PhrPreferencesRepository,
} from './infrastructure/phr-preferences.repository.js';
import { PhrPreferencesHttpController } from './interface/phr-preferences.http.controller.js';

const commandHandlers = [UpdatePhrPreferencesCommandHandler];
const queryHandlers = [GetPhrPreferencesQueryHandler];
const application = [PhrSettingsAccess];
const infrastructure = [
  PhrPreferencesRepository,
  ...outboxRelayProviders([PHR_PREFERENCES_COLLECTION]),
  // Roles (privileges) and members (exclusions) come from the directory replica.
  directoryReplicaSubscription,
  EventConsumerHost,
];

@Module({
  controllers: [PhrPreferencesHttpController],
  providers: [...commandHandlers, ...queryHandlers, ...application, ...infrastructure],
})
export class PhrMessagingModule implements OnModuleInit {
  constructor(private readonly preferences: PhrPreferencesRepository) {}

  async onModuleInit(): Promise<void> {
    await this.preferences.ensureIndexes();
  }
}
