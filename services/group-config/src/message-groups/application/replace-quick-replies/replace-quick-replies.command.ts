import { Command } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { QuickReplyDraft } from '../../domain/quick-replies.js';
import type { QuickRepliesView } from '../quick-replies-view.js';

/** Replaces a group's quick replies; `expectedVersion` (If-Match) guards against lost updates. */
export class ReplaceQuickRepliesCommand extends Command<QuickRepliesView> {
  constructor(
    readonly caller: Caller,
    readonly groupId: string,
    readonly drafts: QuickReplyDraft[],
    readonly expectedVersion: number | undefined,
  ) {
    super();
  }
}
