import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { buildEnvelope, PhrMessagingPreferencesUpdatedV1 } from '@gm/contracts';
import { DirectoryReplica } from '@gm/directory-replica';
import { newEventMetadata } from '@gm/messaging';
import { OutboxRelayHost } from '@gm/service-kit';
import { checkPhrPreferences, PhrPreferencesRuleViolation } from '../../domain/phr-preferences.js';
import { PhrPreferencesRepository } from '../../infrastructure/phr-preferences.repository.js';
import { PhrSettingsAccess } from '../phr-settings-access.js';
import { UpdatePhrPreferencesCommand } from './update-phr-preferences.command.js';

@CommandHandler(UpdatePhrPreferencesCommand)
export class UpdatePhrPreferencesCommandHandler implements ICommandHandler<UpdatePhrPreferencesCommand> {
  constructor(
    private readonly access: PhrSettingsAccess,
    private readonly directory: DirectoryReplica,
    private readonly preferences: PhrPreferencesRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  async execute(command: UpdatePhrPreferencesCommand): Promise<{ version: number }> {
    const { caller, expectedVersion, correlationId } = command;
    await this.access.assertCanEdit(caller);
    const practiceId = caller.practiceId;
    const state = await checkPhrPreferences(command.preferences, async (ids) => {
      const members = await this.directory.members(practiceId, ids);
      return new Set(members.map((member) => member.memberId));
    });
    const currentVersion = (await this.preferences.find(practiceId))?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== currentVersion)
      throw changedMeanwhile();
    const version = currentVersion + 1;
    const metadata = newEventMetadata({
      source: '/services/phr-preferences',
      practiceId,
      correlationId,
    });
    const data = { practiceId, ...state, version, changedAt: metadata.time };
    const event = {
      definition: PhrMessagingPreferencesUpdatedV1,
      envelope: buildEnvelope(PhrMessagingPreferencesUpdatedV1, data, metadata),
    };
    if (!(await this.preferences.save(practiceId, state, currentVersion, event)))
      throw changedMeanwhile();
    this.relay.nudge();
    return { version };
  }
}

const changedMeanwhile = () =>
  new PhrPreferencesRuleViolation(
    'preferences-changed-meanwhile',
    'the PHR preferences changed meanwhile; reload and try again',
    'conflict',
  );
