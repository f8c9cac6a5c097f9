import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { INFRASTRUCTURE_CONFIG, REDIS, type InfrastructureConfig } from '@gm/service-kit';

export interface GroupRef {
  practiceId: string;
  groupId: string;
}

/**
 * Which groups' queues may have changed (a thread stored, answered,
 * trashed, unassigned; a workflow changed), for the automatic assignment
 * sweep to look at, and each group's turn counter for round robin. Both in
 * Redis, shared by the replicas. A mark lost (a crash between the thread's
 * write and the mark) is found by the sweep's full pass over every group
 * that assigns automatically.
 */
@Injectable()
export class GroupQueues {
  private readonly key: string;
  private readonly turnPrefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(INFRASTRUCTURE_CONFIG) config: InfrastructureConfig,
  ) {
    this.key = `gm:group-queues:${config.serviceName}:${config.mongoDatabase}`;
    this.turnPrefix = `gm:assignment-turn:${config.serviceName}:${config.mongoDatabase}`;
  }

  /** Marks the group's queue for a look; never fails the write that changed it. */
  async changed(practiceId: string, groupId: string | null): Promise<void> {
    if (!groupId) return;
    await this.redis.sadd(this.key, `${practiceId}\n${groupId}`).catch(() => undefined);
  }

  /** Takes up to `count` marked groups. */
  async take(count: number): Promise<GroupRef[]> {
    const members = await this.redis.spop(this.key, count);
    return members.map((member) => {
      const [practiceId, groupId] = member.split('\n') as [string, string];
      return { practiceId, groupId };
    });
  }

  /** The group's next turn: grows by one with every call, from 1. */
  nextTurn(practiceId: string, groupId: string): Promise<number> {
    return this.redis.incr(`${this.turnPrefix}:${practiceId}:${groupId}`);
  }
}
