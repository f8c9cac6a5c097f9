import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { documentLockKey, isDuplicateKeyError, type DocumentLocks } from '@gm/messaging';
import { DOCUMENT_LOCKS } from '@gm/service-kit';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { QuickRepliesStore, type StoredQuickReplies } from '../application/quick-replies-store.js';
import { quickReplyOf, type QuickReply } from '../domain/quick-replies.js';

export const QUICK_REPLIES_COLLECTION = 'quick_replies';

interface QuickRepliesDocument {
  /** `${practiceId}:${groupId}`. */
  _id: string;
  practiceId: string;
  groupId: string;
  /** In the Admins' order. */
  quickReplies: QuickReply[];
  version: number;
  changedAt: string;
}

const quickRepliesId = (practiceId: string, groupId: string) => `${practiceId}:${groupId}`;

/**
 * A group's quick replies: the list and its version in one document of
 * group-config's own collection. No outbox: nothing is published. A deleted
 * group's document stays, unreachable (its group answers 404), as its workflow's.
 */
@Injectable()
export class QuickRepliesRepository extends QuickRepliesStore {
  private readonly documents: Collection<QuickRepliesDocument>;

  constructor(
    @InjectConnection() connection: Connection,
    @Inject(DOCUMENT_LOCKS) private readonly locks: DocumentLocks,
  ) {
    super();
    this.documents = connection.collection(
      QUICK_REPLIES_COLLECTION,
    ) as unknown as Collection<QuickRepliesDocument>;
  }

  async find(practiceId: string, groupId: string): Promise<StoredQuickReplies | null> {
    const document = await this.documents.findOne({ _id: quickRepliesId(practiceId, groupId) });
    if (!document || document.practiceId !== practiceId || document.groupId !== groupId)
      return null;
    return {
      quickReplies: document.quickReplies.map(quickReplyOf),
      version: document.version,
      changedAt: document.changedAt,
    };
  }

  async write(practiceId: string, groupId: string, stored: StoredQuickReplies): Promise<boolean> {
    const _id = quickRepliesId(practiceId, groupId);
    const { quickReplies, version, changedAt } = stored;
    if (version === 1) {
      // The first list: an insert, which the unique _id decides between concurrent ones.
      try {
        await this.documents.insertOne({
          _id,
          practiceId,
          groupId,
          quickReplies,
          version,
          changedAt,
        });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    // A compare-and-set on the version, under the document's lock: FerretDB's
    // updates are not atomic against each other (ADR 0009).
    return this.locks.exclusive(documentLockKey(QUICK_REPLIES_COLLECTION, _id), async () => {
      const result = await this.documents.updateOne(
        { _id, version: version - 1 },
        { $set: { quickReplies, version, changedAt } },
      );
      return result.matchedCount === 1;
    });
  }
}
