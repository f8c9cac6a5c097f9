import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { PageRequest } from '../../domain/paging.js';
import type { MailboxPage } from './mailbox-page.js';

export type MailboxBox = 'inbox' | 'unread' | 'sent';

/** A page of the patient's own threads: Inbox and Unread (with practice replies), or Sent. */
export class ListMailboxQuery extends Query<MailboxPage> {
  constructor(
    readonly caller: Caller,
    readonly box: MailboxBox,
    readonly page: PageRequest,
  ) {
    super();
  }
}
