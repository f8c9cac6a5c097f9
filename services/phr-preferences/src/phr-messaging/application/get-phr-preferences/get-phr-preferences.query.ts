import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { PhrMessagingPreferences } from '../../domain/phr-preferences.js';

export interface PhrPreferencesView extends PhrMessagingPreferences {
  /** 0 while the practice has never saved its settings (the defaults apply). */
  version: number;
}

export class GetPhrPreferencesQuery extends Query<PhrPreferencesView> {
  constructor(readonly caller: Caller) {
    super();
  }
}
