import { readFileSync } from 'node:fs';
import { dailyFirstResponse, firstReplyOf, THREAD_FACT_V1 } from './daily-first-response.js';

/** The contract's golden fixture: a first reply, as the producer writes it. */
const fixture = JSON.parse(
  readFileSync(
    new URL('../../libs/contracts/fixtures/gm.analytics.thread-fact.v1.json', import.meta.url),
    'utf8',
  ),
) as { headers: Record<string, string>; data: Record<string, unknown> };
const record = (data: Record<string, unknown>) => JSON.stringify({ ...fixture.data, ...data });

describe('the example analytics consumer', () => {
  it('reads a first reply from the golden fixture, and tolerates fields and facts it does not know', () => {
    expect(firstReplyOf(fixture.headers.ce_type, JSON.stringify(fixture.data))).toMatchObject({
      threadId: 'thr_ruth_billing_1',
      groupId: 'grp_billing',
      timeToFirstReplyMs: 4_320_000,
    });
    expect(firstReplyOf(THREAD_FACT_V1, record({ somethingNew: { nested: true } }))).not.toBeNull();
    expect(firstReplyOf(THREAD_FACT_V1, record({ fact: 'escalated' }))).toBeNull();
  });

  it('skips later replies, other types and a newer version of the fact', () => {
    expect(firstReplyOf(THREAD_FACT_V1, record({ timeToFirstReplyMs: null }))).toBeNull();
    expect(firstReplyOf('gm.analytics.thread-fact.v2', JSON.stringify(fixture.data))).toBeNull();
    expect(firstReplyOf('gm.message.routed.v1', '{}')).toBeNull();
  });

  it('gives per day, practice and group the count and the p50 and p90 in minutes, each fact once', () => {
    const reply = (
      threadId: string,
      day: string,
      minutes: number,
      groupId: string | null = 'grp_b',
    ) => ({
      practiceId: 'prc_1',
      threadId,
      sequence: 3,
      groupId,
      occurredAt: `${day}T10:00:00.000Z`,
      timeToFirstReplyMs: minutes * 60_000,
    });
    const facts = [
      reply('t1', '2026-11-02', 10),
      reply('t2', '2026-11-02', 30),
      reply('t2', '2026-11-02', 30), // delivered twice
      reply('t3', '2026-11-02', 20),
      reply('t4', '2026-11-02', 90),
      reply('t5', '2026-11-03', 5),
      reply('t6', '2026-11-02', 7, null),
    ];
    expect(dailyFirstResponse(facts)).toEqual([
      {
        day: '2026-11-02',
        practiceId: 'prc_1',
        groupId: 'grp_b',
        threads: 4,
        p50Minutes: 20,
        p90Minutes: 90,
      },
      {
        day: '2026-11-02',
        practiceId: 'prc_1',
        groupId: null,
        threads: 1,
        p50Minutes: 7,
        p90Minutes: 7,
      },
      {
        day: '2026-11-03',
        practiceId: 'prc_1',
        groupId: 'grp_b',
        threads: 1,
        p50Minutes: 5,
        p90Minutes: 5,
      },
    ]);
  });
});
