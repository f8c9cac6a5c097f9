import { RedisLease } from '@gm/messaging';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** How long a claim outlives its holder's last renewal (a killed replica's rebuild). */
export const CLAIM_TTL_MS = 30_000;
/** The last rebuild's report is kept this long for `GET /admin/rebuild`. */
const REPORT_TTL_S = 7 * 24 * 3600;

/**
 * One rebuild at a time across every replica of the service (ADR 0019): a
 * Redis lease claimed by the replica that starts it and renewed while it
 * runs, and that replica's latest report, which any replica answers the
 * status from. A replica killed mid-rebuild stops renewing: its claim
 * lapses and another rebuild may start.
 */
export class RebuildClaim<Report> {
  private readonly lease: RedisLease;
  private readonly claimKey: string;
  private readonly reportKey: string;

  constructor(
    private readonly redis: Redis,
    scope: string,
  ) {
    this.claimKey = `gm:inbox-rebuild:${scope}:claim`;
    this.reportKey = `gm:inbox-rebuild:${scope}:report`;
    this.lease = new RedisLease(redis, this.claimKey, randomUUID(), CLAIM_TTL_MS);
  }

  /** Takes the claim, or renews this replica's; false while another replica holds it. */
  hold(): Promise<boolean> {
    return this.lease.hold();
  }

  release(): Promise<void> {
    return this.lease.release();
  }

  /** Whether any replica holds the claim now. */
  async held(): Promise<boolean> {
    return (await this.redis.exists(this.claimKey)) === 1;
  }

  async report(report: Report): Promise<void> {
    await this.redis.set(this.reportKey, JSON.stringify(report), 'EX', REPORT_TTL_S);
  }

  async lastReport(): Promise<Report | null> {
    const text = await this.redis.get(this.reportKey);
    return text ? (JSON.parse(text) as Report) : null;
  }
}
