import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { PhrMessagingPreferences } from '../../domain/phr-preferences.js';

export class UpdatePhrPreferencesCommand extends Command<{ version: number }> {
  constructor(
    readonly caller: Caller,
    readonly preferences: PhrMessagingPreferences,
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
