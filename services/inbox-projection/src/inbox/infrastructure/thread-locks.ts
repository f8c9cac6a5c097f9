import { Inject, Injectable } from '@nestjs/common';
import { oneAtATime } from '@gm/directory-replica';
import type { DocumentLocks } from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { ProjectionStore } from './projection-store.js';

/**
 * One writer at a time on a thread's view and entries (ADR 0004/0009):
 * queued in this process first, then under the thread's Redis lock, because
 * replicas of this service consume different partitions, and a read marker
 * written by a request meets a fold written by the consumer.
 */
@Injectable()
export class ThreadLocks {
  constructor(@Inject(DOCUMENT_LOCKS) private readonly locks: DocumentLocks) {}

  run<T>(store: ProjectionStore, threadId: string, work: () => Promise<T>): Promise<T> {
    const key = `${store.db.databaseName}/g${store.generation}/${threadId}`;
    return oneAtATime(key, () => this.locks.exclusive(`inbox:${key}`, work));
  }
}
