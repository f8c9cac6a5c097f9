import { Inject, Injectable } from '@nestjs/common';
import { inRuns } from '@gm/messaging';
import { MemberChangedV1, PatientChangedV1, TOPICS, type EventEnvelope } from '@gm/contracts';
import { DIRECTORY_TOPICS, DirectoryReplica } from '@gm/directory-replica';
import { SETTINGS_TOPICS, SettingsReplica } from '@gm/settings-replica';
import {
  InboxProjector,
  THREAD_EVENT_TYPES,
  type Target,
} from '../application/project-thread-events/inbox-projector.js';
import { InboxSignals } from '../infrastructure/inbox-signals.js';
import { Generations } from '../infrastructure/projection-store.js';
import { ProgressProjector } from '../../progress-reports/application/project-progress/progress-projector.js';

/**
 * Everything the read model is built from, in one consumer group: the
 * directory and settings replicas (names, My groups), the patients' messages
 * the threads' lifecycle and audience (gm.threads) and the staff's internal
 * notes (gm.thread-notes, folded like thread events), and the analytics
 * stream's thread facts for the progress reports. Who sees a thread
 * comes only from its ThreadAudienceChanged (ADR 0016); a patient's new name
 * rewrites that patient's entries; a member's deactivation ends the
 * member's open live feeds. While a rebuild runs, thread
 * events and refreshes go to the generation being built as well.
 */
@Injectable()
export class InboxEventsConsumer {
  readonly topics = [
    ...DIRECTORY_TOPICS,
    ...SETTINGS_TOPICS,
    TOPICS.patientMessages.name,
    TOPICS.threads.name,
    TOPICS.threadNotes.name,
    TOPICS.analyticsThreads.name,
  ];

  constructor(
    private readonly directory: DirectoryReplica,
    private readonly settings: SettingsReplica,
    private readonly projector: InboxProjector,
    private readonly progress: ProgressProjector,
    @Inject(Generations) private readonly generations: Generations,
    @Inject(InboxSignals) private readonly signals: InboxSignals,
  ) {}

  /**
   * Applies events of one partition in their order. Consecutive thread
   * events are projected together: each thread they touch is read, folded,
   * written and refreshed once. A directory or settings event between them
   * is applied in its place, after the thread events before it.
   */
  async handle(envelopes: EventEnvelope[]): Promise<void> {
    // A batch is of one partition of one topic: the analytics stream's are all facts.
    if (envelopes.every((envelope) => this.progress.handles(envelope))) {
      return this.forEachTarget((t) => this.progress.apply(t.store.progress, envelopes));
    }
    await inRuns(
      envelopes,
      (envelope) => THREAD_EVENT_TYPES.has(envelope.type),
      (events) => this.forEachTarget((t) => this.projector.applyThreadEvents(t, events)),
      (envelope) => this.applyFact(envelope),
    );
  }

  private async applyFact(envelope: EventEnvelope): Promise<void> {
    const { practiceId } = envelope;
    if (this.directory.handles(envelope.type)) {
      await this.directory.apply(envelope);
      // Only names come from here (who sees a thread comes with ThreadAudienceChanged).
      if (envelope.type === PatientChangedV1.type) {
        const { patientId } = envelope.data as PatientChangedV1;
        await this.forEachTarget((t) => this.projector.refreshWhere(t, { practiceId, patientId }));
      } else if (envelope.type === MemberChangedV1.type) {
        const { memberId, active } = envelope.data as MemberChangedV1;
        // After the replica says so: a feed opened from now on is refused.
        if (active === false) await this.signals.memberDeactivated(practiceId, memberId);
      }
    } else if (this.settings.handles(envelope.type)) {
      await this.settings.apply(envelope);
    }
  }

  private async forEachTarget(work: (target: Target) => Promise<void>): Promise<void> {
    for (const target of await this.generations.writable()) await work(target);
  }
}
