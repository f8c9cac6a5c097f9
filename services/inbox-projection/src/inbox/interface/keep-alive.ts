import type { MessageEvent } from '@nestjs/common';
import {
  endWith,
  ignoreElements,
  interval,
  map,
  merge,
  share,
  takeUntil,
  type Observable,
} from 'rxjs';

const KEEP_ALIVE_MS = 25_000;

/** An SSE stream with a `keep-alive` every 25 s, ending with its events (a deactivation ends it). */
export function withKeepAlive(events: Observable<MessageEvent>): Observable<MessageEvent> {
  const shared = events.pipe(share());
  return merge(
    shared,
    interval(KEEP_ALIVE_MS).pipe(
      map((): MessageEvent => ({ type: 'keep-alive', data: {} })),
      takeUntil(shared.pipe(ignoreElements(), endWith(null))),
    ),
  );
}
