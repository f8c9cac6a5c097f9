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

  /** Messages of one channel until the subscriber unsubscribes (the client went away). */
  signals<T>(channel: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      const listener = (message: unknown) => subscriber.next(message as T);
      let set = this.listeners.get(channel);
      if (!set) {
        set = new Set();
        this.listeners.set(channel, set);
        void this.connection().subscribe(channel);
      }
      set.add(listener);
      // One stream listens to one channel: a listener is an open feed.
      connections.inc();
      return () => {
        connections.dec();
        const current = this.listeners.get(channel);
        current?.delete(listener);
        if (current && current.size === 0) {
          this.listeners.delete(channel);
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
