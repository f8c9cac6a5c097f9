import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PRESENCE_ACTIVITIES, type PresenceActivity } from '../domain/presence.js';

export class PresenceDto {
  @ApiProperty({
    enum: PRESENCE_ACTIVITIES,
    description:
      '`viewing` while the thread is on screen, `writing` while a reply is being written. Send it again at least every 10 s: a presence not renewed within PRESENCE_TTL_MS (25 s) no longer counts.',
  })
  @IsIn(PRESENCE_ACTIVITIES)
  activity!: PresenceActivity;
}
