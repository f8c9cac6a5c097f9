import { Injectable } from '@nestjs/common';
import { DirectoryReplica } from '@gm/directory-replica';
import { SettingsReplica } from '@gm/settings-replica';
import type { ThreadView } from '../domain/thread-view.js';

/** The name a patient sees for a thread's recipient: its group's, or the practice's for a direct message. */
@Injectable()
export class SenderNamesAdapter {
  constructor(
    private readonly settings: SettingsReplica,
    private readonly directory: DirectoryReplica,
  ) {}

  async of(practiceId: string): Promise<(view: ThreadView) => string> {
    const [groups, practice] = await Promise.all([
      this.settings.groupsOfPractice(practiceId),
      this.directory.practice(practiceId),
    ]);
    const byId = new Map(groups.map((g) => [g.groupId, g.name]));
    const practiceName = practice?.name ?? '';
    return (view) => {
      // A deleted group: the name it last sent under (a reply's, else an acknowledgement's).
      const lastSent =
        view.replies[view.replies.length - 1]?.senderDisplayName ??
        view.acknowledgements[view.acknowledgements.length - 1]?.senderDisplayName;
      if (view.addresseeMemberId !== null || view.routing === 'direct') return practiceName;
      return (view.groupId ? byId.get(view.groupId) : undefined) ?? lastSent ?? '';
    };
  }
}
