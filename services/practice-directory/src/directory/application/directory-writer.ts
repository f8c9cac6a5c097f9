import { Injectable } from '@nestjs/common';
import { ALL_PRIVILEGES } from '@gm/contracts';
import { OutboxRelayHost } from '@gm/service-kit';
import { DirectoryRuleViolation } from '../domain/directory-errors.js';
import {
  entityIdOf,
  type DirectoryKind,
  type DirectoryRecords,
} from '../domain/directory-records.js';
import { checkRecord, isSameState, type DirectoryReferences } from '../domain/directory-rules.js';
import { DirectoryEntriesRepository } from '../infrastructure/directory-entries.repository.js';
import { directoryChanged } from './directory-events.js';

export interface WriteResult {
  kind: DirectoryKind;
  id: string;
  version: number;
  changed: boolean;
}

const ATTEMPTS = 3;

/**
 * Writes one directory entry: checks it, and when its state differs from
 * what is stored, stores the next version with its state event (optimistic
 * concurrency on the version; a lost race re-reads and tries again).
 */
@Injectable()
export class DirectoryWriter {
  constructor(
    private readonly entries: DirectoryEntriesRepository,
    private readonly relay: OutboxRelayHost,
  ) {}

  referencesOf(practiceId: string): DirectoryReferences {
    return { exists: (kind, id) => this.entries.exists(kind, practiceId, id) };
  }

  async check<K extends DirectoryKind>(
    kind: K,
    record: DirectoryRecords[K],
    references: DirectoryReferences,
  ): Promise<DirectoryRecords[K]> {
    return checkRecord(kind, record, references, ALL_PRIVILEGES);
  }

  /** Stores an already checked record. */
  async write<K extends DirectoryKind>(
    kind: K,
    state: DirectoryRecords[K],
    correlationId: string,
  ): Promise<WriteResult> {
    const id = entityIdOf(kind, state);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.entries.find(kind, state.practiceId, id);
      if (current && isSameState(current.state, state)) {
        return { kind, id, version: current.version, changed: false };
      }
      const version = (current?.version ?? 0) + 1;
      const event = directoryChanged(kind, state, version, correlationId);
      if (
        await this.entries.save(
          kind,
          state.practiceId,
          id,
          state,
          version,
          current?.version ?? null,
          event,
        )
      ) {
        this.relay.nudge();
        return { kind, id, version, changed: true };
      }
    }
    throw new DirectoryRuleViolation(
      'concurrent-update',
      `${kind} ${id} is being changed concurrently`,
      'conflict',
    );
  }
}
