/**
 * Faults under load on a single broker: kill -9 of each of the six services
 * in turn (started again on the same port, database and consumer group),
 * then kill -9 of the Kafka broker and of FerretDB (both started again on
 * their data), while patients keep sending. Afterwards every accepted
 * message is in exactly its places, once, and nothing else is; every
 * Billing thread was acknowledged once and went overdue once, those whose
 * target fell due while routing-assignment (the timer's owner) was killed
 * included.
 */
import { call, codeOf, describeAnswer, whenConsistent } from '../harness/http.js';
import { SERVICE_NAMES } from './layout.js';
import { expectEveryAcceptedMessageOnce } from './expectations.js';
import { dueWhileRoutingDown, FaultWorld, type SingleBroker } from './world.js';

/** The services' bound of a request's wait for its tokens (CONSISTENCY_WAIT_MS, default). */
const CONSISTENCY_WAIT_MS = 10_000;

describe('faults under load, single broker', () => {
  const world = FaultWorld.create('single-broker');

  beforeAll(async () => {
    await world.open();
  }, 300_000);

  afterAll(async () => {
    await world.close();
  }, 120_000);

  test('a token whose events are still in the outbox while the broker is down: the request waits, then 503 and nothing done; answered once the broker is back', async () => {
    const broker = world.kafka as SingleBroker;
    const { practiceId, systemId, settingsAdmin, groups } = world.practice!;
    const urls = world.services.urls();
    const system = await world.tokens.system(practiceId, systemId);
    const admin = await world.tokens.member(practiceId, settingsAdmin);
    const group = { ...groups.billing!, name: 'While the broker was down' };
    group.members = [...group.members, { memberId: 'mbr_newcomer', privilege: 'user' }];
    const createGroup = (token: string) =>
      call('POST', `${urls['group-config']}/message-groups`, {
        token: admin,
        body: group,
        consistency: false,
        headers: { 'consistency-token': token },
      });

    await broker.crash();
    let written;
    try {
      // The directory needs only its database: the write is durable, its event waits in the outbox.
      written = await call('PUT', `${urls['practice-directory']}/directory/members/mbr_newcomer`, {
        token: system,
        body: { displayName: 'Nia Newcomer', roleId: null },
      });
      expect(describeAnswer(written)).toBe('200');
      const token = written.headers.get('consistency-token')!;
      const asked = Date.now();
      const refused = await createGroup(token);
      const waited = Date.now() - asked;
      expect(`${describeAnswer(refused)}, Retry-After ${refused.headers.get('retry-after')}`).toBe(
        '503 not-yet-consistent, Retry-After 1',
      );
      expect(waited).toBeGreaterThanOrEqual(CONSISTENCY_WAIT_MS);
    } finally {
      await broker.start();
    }
    await world.allReady();
    const token = written.headers.get('consistency-token')!;
    // The services catch up with the broker's return within a few waits.
    const listed = await whenConsistent(60_000, () =>
      call('GET', `${urls['group-config']}/message-groups`, {
        token: admin,
        consistency: false,
        headers: { 'consistency-token': token },
      }),
    );
    expect(describeAnswer(listed)).toBe('200');
    // Nothing of the refused create was stored.
    expect((listed.json as { name: string }[]).map((g) => g.name)).not.toContain(group.name);
    const created = await createGroup(token);
    expect(`${describeAnswer(created)} ${codeOf(created) ?? ''}`.trim()).toBe('201');
  }, 180_000);

  test('every accepted message lands in exactly its inboxes once, through kills of every service, the broker and FerretDB', async () => {
    const broker = world.kafka as SingleBroker;
    const result = await world.runUnderLoad([
      ...SERVICE_NAMES.map((service) => world.serviceFault(service)),
      {
        name: 'kill -9 kafka broker',
        inject: async () => {
          await broker.crashAndRestart();
          await world.allReady();
        },
      },
      {
        name: 'kill -9 ferretdb',
        inject: async () => {
          await world.ferret.crashAndRestart();
          await world.allReady();
        },
      },
    ]);
    expectEveryAcceptedMessageOnce(world, result);
    // The timer's owner was killed with deadlines due; each still fired once (the audit counted).
    expect(dueWhileRoutingDown(result.figures, result.faults).length).toBeGreaterThan(0);
  }, 900_000);
});
