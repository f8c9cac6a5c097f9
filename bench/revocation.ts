/**
 * Revocation: how soon a member loses a thread once their right to it is
 * taken away. The product rule: a member deactivated, removed from a group,
 * or removed from a patient's in-house care team must lose that group's or
 * patient's existing threads promptly.
 *
 * Per sample a fresh member is given access to a fresh thread, then the
 * change is made through its owner's API, and from the moment that API
 * accepted it (its answer arrived) inbox-projection is polled every
 * POLL_MS until (a) the member's group listing no longer holds the thread
 * (or the listing is 404: no group to show) and (b) GET of the thread is
 * 404; the member's live feed `removed` signal (for a deactivation, the
 * feed's end) is stamped on arrival. Each
 * is bounded by BOUND_MS (a miss counts as infinitely late).
 *
 *   deactivation  PUT /directory/members/:id {active: false}  (practice-directory, system token)
 *   group         PUT /message-groups/:id without the member  (group-config, If-Match, settings admin)
 *   care-team     PUT /directory/patients/:id without them    (practice-directory, system token)
 *
 * The first two use the Billing group (Specific Members) with the member as
 * a User the thread is assigned to (the common case for staff); the third
 * the Diabetes Care Team (care-team routing) with the member on pat_c's
 * care team only. Both groups hold what the ladder wrote, so the recompute
 * each change triggers runs over the history the ladder left (every
 * thread of the group, or of the patient).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { GroupFixture, PatientFixture } from '../system-tests/harness/fixtures.js';
import { call, describeAnswer, eventually, type Answer } from '../system-tests/harness/http.js';
import { openFeed, type Feed, type FeedEvent } from '../system-tests/harness/inbox.js';
import { sleep } from '../system-tests/faults/layout.js';
import { summarize, type Summary } from './report.js';
import type { BenchWorld } from './world.js';

export const REVOCATION_KINDS = ['deactivation', 'group', 'care-team'] as const;
export type RevocationKind = (typeof REVOCATION_KINDS)[number];

const POLL_MS = 20;
const BOUND_MS = 15_000;
/** Bound of each setup wait (replicas catching up, the thread reaching the member). */
const SETUP_MS = 30_000;
/** The patient whose care team the care-team samples change (Main Street, diabetes). */
const CARE_PATIENT = 'thirdPatient';

export interface RevocationKindResult {
  kind: RevocationKind;
  samples: number;
  /** The change's own request: PUT start → its answer. */
  change: Summary;
  listingGone: Summary;
  get404: Summary;
  /** Over samples; a signal not seen within the bound is Infinity. */
  feedRemoved: Summary;
  /** Samples whose setup failed (not measured), with the first reason. */
  failed: number;
  firstFailure?: string;
}

export interface Revocation {
  perKind: number;
  pollMs: number;
  boundMs: number;
  kinds: RevocationKindResult[];
}

interface Sample {
  changeMs: number;
  listingGoneMs: number;
  get404Ms: number;
  feedRemovedMs: number;
}

/** A group as group-config answers it: the fixture's fields and its version. */
type GroupView = GroupFixture & { version: number };

const ok = (a: Answer) => a.status >= 200 && a.status < 300;

/** Fails with what the service said (its problem code), never a message body. */
function expectOk(a: Answer, what: string): Answer {
  if (!ok(a)) throw new Error(`${what}: ${describeAnswer(a)}`);
  return a;
}

export class RevocationBench {
  private readonly practiceId: string;
  private readonly directory: string;
  private readonly groups: string;
  private readonly inbox: string;
  private readonly patient: PatientFixture;

  constructor(
    private readonly world: BenchWorld,
    private readonly say: (line: string) => void,
  ) {
    const practice = world.practice!;
    this.practiceId = practice.practiceId;
    this.directory = `${world.url('practice-directory')}/directory`;
    this.groups = `${world.url('group-config')}/message-groups`;
    this.inbox = world.url('inbox-projection');
    this.patient = practice.patients[CARE_PATIENT]!;
  }

  private system = () => this.world.tokens.system(this.practiceId, this.world.practice!.systemId);
  private member = (id: string) => this.world.tokens.member(this.practiceId, id);

  private async putMember(memberId: string, active: boolean): Promise<Answer> {
    return call('PUT', `${this.directory}/members/${memberId}`, {
      token: await this.system(),
      body: { displayName: `Revo Bench ${memberId.slice(-4)}`, roleId: null, active },
    });
  }

  private async putCareTeam(careTeamMemberIds: string[]): Promise<Answer> {
    const { displayName, facilityId, categoryIds } = this.patient;
    return call('PUT', `${this.directory}/patients/${this.patient.id}`, {
      token: await this.system(),
      body: { displayName, facilityId, categoryIds, careTeamMemberIds },
    });
  }

  /**
   * Read, change and PUT the group with If-Match, again until accepted: group-config
   * answers 422 unknown-member until its directory replica has a new member, and 409
   * if the group moved on meanwhile. Resolves with the accepted PUT's timing.
   */
  private async editGroup(
    groupId: string,
    edit: (members: GroupView['members']) => GroupView['members'],
  ): Promise<{ startedAt: number; answeredAt: number }> {
    const token = await this.member(this.world.practice!.settingsAdmin);
    let timing = { startedAt: 0, answeredAt: 0 };
    await eventually(
      async () => {
        const read = expectOk(
          await call('GET', `${this.groups}/${groupId}`, { token }),
          'GET group',
        );
        const g = read.json as GroupView;
        const body = {
          name: g.name,
          description: g.description,
          facilityId: g.facilityId,
          patientCategoryId: g.patientCategoryId,
          recipientMode: g.recipientMode,
          members: edit(g.members.map(({ memberId, privilege }) => ({ memberId, privilege }))),
        };
        const startedAt = performance.now();
        const answer = await call('PUT', `${this.groups}/${groupId}`, {
          token,
          headers: { 'if-match': `"${g.version}"` },
          body,
        });
        timing = { startedAt, answeredAt: performance.now() };
        return answer;
      },
      ok,
      `PUT of group ${groupId}`,
      { timeoutMs: SETUP_MS, intervalMs: 100 },
    );
    return timing;
  }

  private async newThread(patientId: string, groupId: string, label: string): Promise<string> {
    const answer = await call('POST', `${this.world.url('messaging-intake')}/threads`, {
      token: await this.world.tokens.patient(this.practiceId, patientId),
      headers: { 'idempotency-key': randomUUID() },
      // Synthetic text only.
      body: {
        recipient: { kind: 'group', groupId },
        subject: `Bench ${label}`,
        body: 'Synthetic.',
      },
      timeoutMs: 30_000,
    });
    return (expectOk(answer, 'POST /threads').json as { threadId: string }).threadId;
  }

  /** Whether the thread is on the first page of the member's listing of the group (newest first). */
  private async listed(token: string, groupId: string, threadId: string): Promise<boolean> {
    const answer = await call(
      'GET',
      `${this.inbox}/inbox/groups/${groupId}/threads?filter=all&limit=25`,
      { token },
    );
    if (answer.status === 404) return false; // no such group for them any more
    if (answer.status !== 200) throw new Error(`inbox listing: ${describeAnswer(answer)}`);
    return (answer.json as { threads: { threadId: string }[] }).threads.some(
      (t) => t.threadId === threadId,
    );
  }

  private async getStatus(token: string, threadId: string): Promise<number> {
    return (await call('GET', `${this.inbox}/inbox/threads/${threadId}`, { token })).status;
  }

  /** ms from `from` until `gone` answers true (the answer's arrival), or Infinity past the bound. */
  private async pollGone(from: number, gone: () => Promise<boolean>): Promise<number> {
    while (performance.now() - from < BOUND_MS) {
      try {
        if (await gone()) return performance.now() - from;
      } catch {
        // a failed poll is not a loss of access; try again
      }
      await sleep(POLL_MS);
    }
    return Infinity;
  }

  private async sample(kind: RevocationKind, n: number): Promise<Sample> {
    const practice = this.world.practice!;
    // Fresh ids per run and sample: nobody else's rights are touched.
    const memberId = `mbr_rv_${kind.replace('-', '')}_${n}_${randomUUID().slice(0, 6)}`;
    const groupId = kind === 'care-team' ? practice.groupIds.care! : practice.groupIds.billing!;
    const token = await this.member(memberId);
    expectOk(await this.putMember(memberId, true), 'PUT member');

    // The feed first, so its SUBSCRIBE has settled long before the change.
    const feed: Feed = await openFeed(`${this.inbox}/inbox/events`, `Bearer ${token}`);
    let removedAt = Infinity;
    let threadId = '';
    const push = feed.events.push.bind(feed.events);
    feed.events.push = (...items: FeedEvent[]) => {
      const now = performance.now();
      for (const item of items) {
        const data = item.data as { threadId?: string; kind?: string } | undefined;
        if (data?.kind === 'removed' && data.threadId === threadId && removedAt === Infinity)
          removedAt = now;
      }
      return push(...items);
    };
    try {
      if (kind === 'care-team') {
        expectOk(
          await this.putCareTeam([...this.patient.careTeamMemberIds, memberId]),
          'PUT patient',
        );
        threadId = await this.newThread(this.patient.id, groupId, `revocation ${kind} ${n}`);
      } else {
        await this.editGroup(groupId, (m) => [...m, { memberId, privilege: 'user' }]);
        threadId = await this.newThread('pat_b', groupId, `revocation ${kind} ${n}`);
        // A User of a Specific Members group sees only what is assigned to them; the group's
        // Admin assigns (again until routing-assignment has the thread and the membership).
        const admin = await this.member('mbr_gadmin');
        await eventually(
          () =>
            call('POST', `${this.world.url('routing-assignment')}/threads/${threadId}/assignment`, {
              token: admin,
              body: { assigneeMemberId: memberId },
            }),
          ok,
          `assignment of ${threadId}`,
          { timeoutMs: SETUP_MS, intervalMs: 100 },
        );
      }
      // Access established, as the member sees it: listed and openable.
      const deadline = performance.now() + SETUP_MS;
      while (!(
        (await this.listed(token, groupId, threadId)) &&
        (await this.getStatus(token, threadId)) === 200
      )) {
        if (performance.now() > deadline)
          throw new Error(`thread never reached the member within ${SETUP_MS} ms`);
        await sleep(50);
      }

      // The change, timed from its acceptance.
      let startedAt = performance.now();
      let acceptedAt: number;
      if (kind === 'deactivation') {
        expectOk(await this.putMember(memberId, false), 'PUT member inactive');
        acceptedAt = performance.now();
      } else if (kind === 'group') {
        ({ startedAt, answeredAt: acceptedAt } = await this.editGroup(groupId, (m) =>
          m.filter((x) => x.memberId !== memberId),
        ));
      } else {
        expectOk(await this.putCareTeam(this.patient.careTeamMemberIds), 'PUT patient');
        acceptedAt = performance.now();
      }
      const [listingGoneMs, get404Ms] = await Promise.all([
        this.pollGone(acceptedAt, async () => !(await this.listed(token, groupId, threadId))),
        this.pollGone(acceptedAt, async () => (await this.getStatus(token, threadId)) === 404),
      ]);
      // The signal may trail the reads a little; give it what is left of the bound. A
      // deactivated member's feed ends instead (ADR 0019): its end is the signal.
      while (removedAt === Infinity && performance.now() - acceptedAt < BOUND_MS) {
        if (kind === 'deactivation' && feed.endedAt !== undefined) removedAt = feed.endedAt;
        else await sleep(20);
      }
      return {
        changeMs: acceptedAt - startedAt,
        listingGoneMs,
        get404Ms,
        feedRemovedMs: removedAt - acceptedAt,
      };
    } finally {
      feed.close();
      // Groups hold at most 10 members: a deactivated sample member leaves Billing again.
      if (kind === 'deactivation')
        await this.editGroup(groupId, (m) => m.filter((x) => x.memberId !== memberId)).catch(
          () => undefined,
        );
    }
  }

  /** `perKind` samples of each kind, the kinds taking turns so that noise spreads evenly. */
  async run(perKind: number): Promise<Revocation> {
    const samples = new Map<RevocationKind, Sample[]>(REVOCATION_KINDS.map((k) => [k, []]));
    const failures = new Map<RevocationKind, string[]>(REVOCATION_KINDS.map((k) => [k, []]));
    for (let n = 0; n < perKind; n++) {
      for (const kind of REVOCATION_KINDS) {
        try {
          const s = await this.sample(kind, n);
          samples.get(kind)!.push(s);
          this.say(
            `revocation ${kind} ${n + 1}/${perKind}: listing ${s.listingGoneMs.toFixed(0)} ms, ` +
              `GET 404 ${s.get404Ms.toFixed(0)} ms, feed removed ${s.feedRemovedMs.toFixed(0)} ms`,
          );
        } catch (error) {
          failures.get(kind)!.push((error as Error).message.slice(0, 200));
          this.say(`revocation ${kind} ${n + 1}/${perKind}: setup failed`);
        }
      }
    }
    return {
      perKind,
      pollMs: POLL_MS,
      boundMs: BOUND_MS,
      kinds: REVOCATION_KINDS.map((kind) => {
        const s = samples.get(kind)!;
        return {
          kind,
          samples: s.length,
          change: summarize(s.map((x) => x.changeMs)),
          listingGone: summarize(s.map((x) => x.listingGoneMs)),
          get404: summarize(s.map((x) => x.get404Ms)),
          feedRemoved: summarize(s.map((x) => x.feedRemovedMs)),
          failed: failures.get(kind)!.length,
          firstFailure: failures.get(kind)![0],
        };
      }),
    };
  }
}
