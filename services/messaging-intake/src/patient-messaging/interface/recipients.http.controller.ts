import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actors, CurrentCaller, type Caller } from '@gm/auth';
import { ListRecipientsQuery } from '../application/list-recipients/list-recipients.query.js';
import { RecipientListDto } from './patient-messaging.dto.js';

/** The To field of Send Message, for the PHR portal, the mobile app and branded apps alike. */
@ApiTags('patient messaging')
@ApiBearerAuth()
@Actors('patient')
@Controller('recipients')
export class RecipientsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'The groups and members this patient may write to now',
    description:
      'canSend false with a reason (messaging-disabled, patient-unknown, patient-inactive, no-recipients) and empty lists when nothing can be sent.',
  })
  @ApiOkResponse({ type: RecipientListDto })
  list(@CurrentCaller() caller: Caller): Promise<RecipientListDto> {
    return this.queries.execute(new ListRecipientsQuery(caller));
  }
}
