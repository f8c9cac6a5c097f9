import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { OutOfOfficeDraft } from '../../domain/out-of-office.js';
import type { OutOfOfficeView } from '../out-of-office-view.js';

/** Replaces a member's out-of-office periods; `expectedVersion` (If-Match) guards against lost updates. */
export class ReplaceOutOfOfficeCommand extends Command<OutOfOfficeView> {
  constructor(
    readonly caller: Caller,
    readonly memberId: string,
    readonly drafts: OutOfOfficeDraft[],
    readonly expectedVersion: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
