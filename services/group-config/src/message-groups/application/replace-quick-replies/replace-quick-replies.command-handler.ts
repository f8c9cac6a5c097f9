import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MAX_REPLY_BODY_LENGTH } from '@gm/contracts';
import { randomUUID } from 'node:crypto';
import { MessageGroupRuleViolation } from '../../domain/message-group-errors.js';
import {
  checkQuickReplies,
  sameQuickReplies,
  withQuickReplyIds,
  type QuickReplyLimits,
} from '../../domain/quick-replies.js';
import { GroupAccess } from '../group-access.js';
import { QuickRepliesStore } from '../quick-replies-store.js';
import { quickRepliesView, type QuickRepliesView } from '../quick-replies-view.js';
import { ReplaceQuickRepliesCommand } from './replace-quick-replies.command.js';

/** A template's text is a reply: ReplySent's limit, the one routing-assignment holds replies to. */
const LIMITS: QuickReplyLimits = { maxTextLength: MAX_REPLY_BODY_LENGTH };

/**
 * Replaces a group's quick replies. Nothing is published: templates are
 * group-config's alone (the reply a member writes from one is routing's).
 */
@CommandHandler(ReplaceQuickRepliesCommand)
export class ReplaceQuickRepliesCommandHandler implements ICommandHandler<ReplaceQuickRepliesCommand> {
  constructor(
    private readonly access: GroupAccess,
    private readonly store: QuickRepliesStore,
  ) {}

  async execute(command: ReplaceQuickRepliesCommand): Promise<QuickRepliesView> {
    const { caller, groupId, drafts, expectedVersion } = command;
    const { practiceId } = caller;
    await this.access.assertQuickRepliesAccess(caller, groupId, 'edit');
    const stored = await this.store.find(practiceId, groupId);
    const current = quickRepliesView(groupId, stored);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMoved(current.version);
    const checked = checkQuickReplies(drafts, current.quickReplies, LIMITS);
    // Templates sent with their id keep it (so do those sent again unchanged
    // without one); new ones get a fresh id. A replacement that changes
    // nothing stores nothing: it answers the stored version (0 and no
    // templates if never set), so repeating a PUT is idempotent.
    const quickReplies = withQuickReplyIds(
      current.quickReplies,
      checked,
      () => `qr_${randomUUID()}`,
    );
    if (sameQuickReplies(quickReplies, current.quickReplies)) return current;
    const version = current.version + 1;
    const written = await this.store.write(practiceId, groupId, {
      quickReplies,
      version,
      changedAt: new Date().toISOString(),
    });
    if (!written) throw versionMoved(current.version);
    return { groupId, version, quickReplies };
  }
}

const versionMoved = (version: number) =>
  new MessageGroupRuleViolation(
    'quick-replies-changed-meanwhile',
    `the group's quick replies changed since version ${version} was read; reload and try again`,
    'conflict',
  );
