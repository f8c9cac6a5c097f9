import { Query } from '@nestjs/cqrs';
import type { Caller } from '@gm/auth';
import type { OutOfOfficeView } from '../out-of-office-view.js';

export class GetOutOfOfficeQuery extends Query<OutOfOfficeView> {
  constructor(
    readonly caller: Caller,
    readonly memberId: string,
  ) {
    super();
  }
}
