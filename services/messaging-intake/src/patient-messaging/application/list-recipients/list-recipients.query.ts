import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { RecipientList } from '../../domain/recipient-policy.js';

/** The patient's To field. */
export class ListRecipientsQuery extends Query<RecipientList> {
  constructor(readonly caller: Caller) {
    super();
  }
}
