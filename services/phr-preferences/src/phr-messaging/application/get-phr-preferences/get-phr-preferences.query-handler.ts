import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DEFAULT_PHR_PREFERENCES } from '../../domain/phr-preferences.js';
import { PhrPreferencesRepository } from '../../infrastructure/phr-preferences.repository.js';
import { PhrSettingsAccess } from '../phr-settings-access.js';
import { GetPhrPreferencesQuery, type PhrPreferencesView } from './get-phr-preferences.query.js';

@QueryHandler(GetPhrPreferencesQuery)
export class GetPhrPreferencesQueryHandler implements IQueryHandler<GetPhrPreferencesQuery> {
  constructor(
    private readonly access: PhrSettingsAccess,
    private readonly preferences: PhrPreferencesRepository,
  ) {}

  async execute({ caller }: GetPhrPreferencesQuery): Promise<PhrPreferencesView> {
    await this.access.assertCanEdit(caller);
    const stored = await this.preferences.find(caller.practiceId);
    return stored
      ? { ...stored.state, version: stored.version }
      : { ...DEFAULT_PHR_PREFERENCES, version: 0 };
  }
}
