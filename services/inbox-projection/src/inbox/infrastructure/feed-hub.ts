import type { Redis } from 'ioredis';
import { registeredOnce } from '@gm/messaging';
import { Gauge } from 'prom-client';
import { Observable } from 'rxjs';
import type { FeedMessage } from './inbox-signals.js';

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
 */
export class FeedHub {
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<(signal: FeedMessage) => void>>();

  constructor(private readonly redis: Redis) {}

  private connection(): Redis {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('message', (channel: string, message: string) => {
        let signal: FeedMessage;
        try {
          signal = JSON.parse(message) as FeedMessage;
        } catch {
          return;
        }
        for (const listener of this.listeners.get(channel) ?? []) listener(signal);
      });
    }
    return this.subscriber;
  }

  /** Messages of one channel until the subscriber unsubscribes (the client went away). */
  signals(channel: string): Observable<FeedMessage> {
    return new Observable<FeedMessage>((subscriber) => {
      const listener = (signal: FeedMessage) => subscriber.next(signal);
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
