import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { decodeCursor, matches, pageOf } from '../../domain/paging.js';
import { lastActivityAt } from '../../domain/thread-view.js';
import { Generations, PATIENT_INDEX, withoutId } from '../../infrastructure/projection-store.js';
import { SenderNamesAdapter } from '../../infrastructure/sender-names.adapter.js';
import { ListMailboxQuery } from './list-mailbox.query.js';
import type { MailboxPage } from './mailbox-page.js';

/** A patient's threads are few: read whole (one equality query), chosen, searched and paged here. */
@QueryHandler(ListMailboxQuery)
export class ListMailboxQueryHandler implements IQueryHandler<ListMailboxQuery> {
  constructor(
    @Inject(Generations) private readonly generations: Generations,
    private readonly senderNames: SenderNamesAdapter,
  ) {}

  async execute({ caller, box, page }: ListMailboxQuery): Promise<MailboxPage> {
    const { practiceId, id: patientId } = caller;
    const store = await this.generations.active();
    const [documents, names] = await Promise.all([
      store.views.find({ practiceId, patientId }).hint(PATIENT_INDEX).toArray(),
      this.senderNames.of(practiceId),
    ]);
    const views = documents.map(withoutId).filter((v) => v.messages.length > 0);
    const chosen = views.filter((v) =>
      box === 'sent'
        ? true
        : box === 'inbox'
          ? v.replies.length > 0
          : v.replies.length > v.patientReadReplies,
    );
    const items = chosen
      .map((v) => {
        const lastReply = v.replies.reduce((max, r) => (r.sentAt > max ? r.sentAt : max), '');
        const lastMessage = v.messages.reduce((max, m) => (m.sentAt > max ? m.sentAt : max), '');
        const at = box === 'sent' ? lastMessage : lastReply;
        return { view: v, name: names(v), sortKey: `${at}|${v.threadId}`, at };
      })
      .filter((item) => !page.q || matches(item.name, page.q));
    const { items: pageItems, nextCursor } = pageOf(
      items,
      (i) => i.sortKey,
      decodeCursor(page.cursor),
      page.limit,
    );
    return {
      threads: pageItems.map(({ view, name, at }) => ({
        threadId: view.threadId,
        groupName: name,
        subject: view.subject,
        lastActivityAt: at || lastActivityAt(view),
        replies: view.replies.length,
        unreadReplies: Math.max(0, view.replies.length - view.patientReadReplies),
      })),
      nextCursor,
    };
  }
}
