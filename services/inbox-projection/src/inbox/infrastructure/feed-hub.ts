import type { Redis } from 'ioredis';
import { registeredOnce } from '@gm/messaging';
import { Gauge } from 'prom-client';
import { Observable } from 'rxjs';

const connections = registeredOnce(
  'gm_live_feed_connections',
  () =>
    new Gauge({
      name: 'gm_live_feed_connections',
      help: 'Live feeds (SSE streams) open on this process.',
    }),
);

/**
 * One Redis subscriber connection per process, shared by every open SSE
 * stream: a channel is subscribed while at least one stream listens to it.
 * Messages are JSON; each channel's publisher and readers agree on its type
 * (inbox-signals.ts for the feeds, presence-board.ts for presence).
 */
export class FeedHub {
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<(message: unknown) => void>>();
  /** Each listened channel's SUBSCRIBE, acknowledged or on its way. */
  private readonly subscriptions = new Map<string, Promise<unknown>>();

  constructor(private readonly redis: Redis) {}

  private connection(): Redis {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('message', (channel: string, message: string) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          return;
        }
        for (const listener of this.listeners.get(channel) ?? []) listener(parsed);
      });
    }
    return this.subscriber;
  }

  /**
   * Messages of one channel until the subscriber unsubscribes (the client
   * went away). Pub/sub keeps nothing: a message published before the
   * SUBSCRIBE is acknowledged is lost. `caughtUp`, run once it is, reads
   * the state that message would have told (null: nothing to tell), so no
   * change falls between the stream opening and the channel listening.
   */
  signals<T>(channel: string, caughtUp?: () => Promise<T | null>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const listener = (message: unknown) => subscriber.next(message as T);
      let set = this.listeners.get(channel);
      if (!set) {
        set = new Set();
        this.listeners.set(channel, set);
        this.subscriptions.set(channel, this.connection().subscribe(channel));
      }
      set.add(listener);
      if (caughtUp) {
        void this.subscriptions
          .get(channel)!
          .then(caughtUp)
          .then(
            (message) => message !== null && !subscriber.closed && subscriber.next(message),
            (error: unknown) => subscriber.error(error),
          );
      }
      // One stream listens to one channel: a listener is an open feed.
      connections.inc();
      return () => {
        connections.dec();
        const current = this.listeners.get(channel);
        current?.delete(listener);
        if (current && current.size === 0) {
          this.listeners.delete(channel);
          this.subscriptions.delete(channel);
          void this.subscriber?.unsubscribe(channel);
        }
      };
    });
  }

  /** Resolves once the channel's SUBSCRIBE has been acknowledged (used by tests and on connect). */
  async ready(channel: string): Promise<void> {
    if (this.listeners.has(channel)) await this.connection().subscribe(channel);
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
