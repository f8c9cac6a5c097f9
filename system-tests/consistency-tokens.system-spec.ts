/**
 * Read-your-writes across services (ADR 0018), over HTTP only, in practices
 * of their own. Every write answers a Consistency-Token; a request carrying
 * it is answered once the service has applied the write and what it caused
 * there. Each read below is made once, right after the write, with only
 * that write's token: no retry, no sleep. Without the token the same reads
 * are allowed to be stale (the services follow each other through Kafka).
 */
import { PRIVILEGES } from '@gm/contracts';
import { call, codeOf, describeAnswer, isProblem, type Answer } from './harness/http.js';
import { directoryBundle, mainPracticeFixture, type PracticeFixture } from './harness/fixtures.js';
import { seedPractice, toListIds } from './harness/seed.js';
import { phiText, summarize, world } from './harness/world.js';

const w = world();
const TOKEN = /^1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.(-|([a-z][0-9]+)+)\.[A-Za-z0-9_-]{22}$/;
const url = {
  directory: `${w.urls['practice-directory']}/directory`,
  groups: `${w.urls['group-config']}/message-groups`,
  phr: `${w.urls['phr-preferences']}/phr-preferences`,
  recipients: `${w.urls['messaging-intake']}/recipients`,
  threads: `${w.urls['messaging-intake']}/threads`,
  routing: (threadId: string, action: string) =>
    `${w.urls['routing-assignment']}/threads/${threadId}/${action}`,
  inbox: `${w.urls['inbox-projection']}/inbox`,
  mailbox: `${w.urls['inbox-projection']}/mailbox`,
  audit: `${w.urls['access-audit']}/access-records`,
};

/** One request carrying exactly `tokens` (none of the run's others). */
async function send(
  method: string,
  target: string,
  bearer: string,
  options: { body?: unknown; tokens?: string[] } = {},
): Promise<Answer> {
  const tokens = options.tokens ?? [];
  return call(method, target, {
    token: bearer,
    body: options.body,
    consistency: false,
    headers: tokens.length ? { 'consistency-token': tokens.join(',') } : {},
  });
}

/** The write's token; the write must have succeeded. */
function tokenOf(answer: Answer, what: string): string {
  expect(`${what}: ${describeAnswer(answer)}`).toMatch(new RegExp(`^${what}: 2\\d\\d$`));
  const token = answer.headers.get('consistency-token');
  expect(token).toMatch(TOKEN);
  expect(token!.length).toBeLessThanOrEqual(200);
  return token!;
}

const threadIds = (answer: Answer): string[] => {
  expect(describeAnswer(answer)).toBe('200');
  return ((answer.json as { threads: { threadId: string }[] }).threads ?? []).map(
    (t) => t.threadId,
  );
};

let practiceNo = 0;
const freshPracticeId = () => `prc_st_ct${++practiceNo}_${w.run.runId}`;

describe('consistency tokens (read-your-writes across services)', () => {
  const started = Date.now();
  let checks = 0;
  afterEach(() => {
    checks++;
  });
  afterAll(() => {
    summarize(
      w,
      `consistency tokens: ${checks} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s, each read once right after its write`,
    );
  });

  describe('settings follow the directory', () => {
    it('import, then create a group naming its members: no 402, 403 or 422 with the import token, in 4 practices at once', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const fixture = mainPracticeFixture(freshPracticeId(), 'Tokenson');
          const system = await w.tokens.system(fixture.practiceId, fixture.systemId);
          const imported = tokenOf(
            await send('POST', `${url.directory}/import`, system, {
              body: directoryBundle(fixture),
            }),
            'import',
          );
          const admin = await w.tokens.member(fixture.practiceId, fixture.settingsAdmin);
          const created = await send('POST', url.groups, admin, {
            body: fixture.groups.billing,
            tokens: [imported],
          });
          const saved = await send('PUT', url.phr, admin, {
            body: fixture.phr,
            tokens: [imported],
          });
          return [describeAnswer(created), describeAnswer(saved)];
        }),
      );
      expect(results).toEqual(Array(4).fill(['201', '200']));
    });

    it('a plan change is visible at once: free refuses a new group (402), paid takes it again', async () => {
      const fixture = mainPracticeFixture(freshPracticeId(), 'Planner');
      const system = await w.tokens.system(fixture.practiceId, fixture.systemId);
      const admin = await w.tokens.member(fixture.practiceId, fixture.settingsAdmin);
      const imported = tokenOf(
        await send('POST', `${url.directory}/import`, system, { body: directoryBundle(fixture) }),
        'import',
      );
      const free = tokenOf(
        await send('PUT', `${url.directory}/practice`, system, {
          body: { name: fixture.name, plan: 'free' },
          tokens: [imported],
        }),
        'plan free',
      );
      const refused = await send('POST', url.groups, admin, {
        body: fixture.groups.billing,
        tokens: [free],
      });
      expect(describeAnswer(refused)).toBe('402 paid-plan-required');
      const paid = tokenOf(
        await send('PUT', `${url.directory}/practice`, system, {
          body: { name: fixture.name, plan: 'paid' },
        }),
        'plan paid',
      );
      const created = await send('POST', url.groups, admin, {
        body: fixture.groups.billing,
        tokens: [paid],
      });
      expect(describeAnswer(created)).toBe('201');
    });

    it('a new privilege is visible at once in group-config and phr-preferences', async () => {
      const fixture = mainPracticeFixture(freshPracticeId(), 'Privy');
      const system = await w.tokens.system(fixture.practiceId, fixture.systemId);
      const imported = tokenOf(
        await send('POST', `${url.directory}/import`, system, { body: directoryBundle(fixture) }),
        'import',
      );
      const promoted = tokenOf(
        await send('PUT', `${url.directory}/roles/role_staff`, system, {
          body: {
            name: 'Staff',
            privileges: [PRIVILEGES.messageGroupsSettings, PRIVILEGES.phrSettings],
          },
          tokens: [imported],
        }),
        'role',
      );
      const gabe = await w.tokens.member(fixture.practiceId, 'mbr_gadmin');
      expect(describeAnswer(await send('GET', url.groups, gabe, { tokens: [promoted] }))).toBe(
        '200',
      );
      expect(describeAnswer(await send('GET', url.phr, gabe, { tokens: [promoted] }))).toBe('200');
    });
  });

  describe('a practice in use', () => {
    let P: PracticeFixture & { groupIds: Record<string, string> };
    let admin: string;
    let system: string;
    let patient: string;

    beforeAll(async () => {
      P = await seedPractice(
        { urls: w.urls, secret: w.run.secret },
        {
          ...mainPracticeFixture(freshPracticeId(), 'Inuse'),
        },
      );
      admin = await w.tokens.member(P.practiceId, P.settingsAdmin);
      system = await w.tokens.system(P.practiceId, P.systemId);
      patient = await w.tokens.patient(P.practiceId, 'pat_a');
    }, 60_000);

    const member = (id: string) => w.tokens.member(P.practiceId, id);
    const groupThreads = async (who: string, groupKey: string, filter: string, tokens: string[]) =>
      threadIds(
        await send(
          'GET',
          `${url.inbox}/groups/${P.groupIds[groupKey]}/threads?filter=${filter}`,
          await member(who),
          { tokens },
        ),
      );
    const patientSends = async (groupKey: string) => {
      const answer = await send('POST', url.threads, patient, {
        body: {
          recipient: { kind: 'group', groupId: P.groupIds[groupKey] },
          subject: phiText('ct-subject'),
          body: phiText('ct-body'),
        },
      });
      return {
        token: tokenOf(answer, 'send'),
        threadId: (answer.json as { threadId: string }).threadId,
      };
    };

    it('a group change reaches the To list; a deletion leaves it', async () => {
      const created = await send('POST', url.groups, admin, {
        body: { ...P.groups.billing, name: 'Token Desk' },
      });
      const groupId = (created.json as { groupId: string }).groupId;
      const afterCreate = tokenOf(created, 'create');
      const listed = await send('GET', url.recipients, patient, { tokens: [afterCreate] });
      expect(toListIds(listed).groups).toContain(groupId);
      const deleted = tokenOf(await send('DELETE', `${url.groups}/${groupId}`, admin), 'delete');
      const after = await send('GET', url.recipients, patient, { tokens: [deleted] });
      expect(toListIds(after).groups).not.toContain(groupId);
    });

    it('a PHR preference change reaches the To list', async () => {
      const saved = tokenOf(
        await send('PUT', url.phr, admin, {
          body: { ...P.phr, patientMessagePreference: 'groups-only' },
        }),
        'preferences',
      );
      const list = await send('GET', url.recipients, patient, { tokens: [saved] });
      expect(toListIds(list).members).toEqual([]);
      const back = tokenOf(await send('PUT', url.phr, admin, { body: P.phr }), 'preferences');
      const again = await send('GET', url.recipients, patient, { tokens: [back] });
      expect(toListIds(again).members).toEqual(['mbr_care']);
    });

    it("a send is in the patient's Sent box and in the Admin's Not Replied, through routing", async () => {
      const sent = await patientSends('billing');
      const box = await send('GET', `${url.mailbox}?box=sent`, patient, { tokens: [sent.token] });
      expect(threadIds(box)).toContain(sent.threadId);
      expect(await groupThreads('mbr_gadmin', 'billing', 'not-replied', [sent.token])).toContain(
        sent.threadId,
      );
      const timeline = await send(
        'GET',
        url.routing(sent.threadId, 'timeline'),
        await member('mbr_gadmin'),
        {
          tokens: [sent.token],
        },
      );
      expect(describeAnswer(timeline)).toBe('200');
    });

    it('assign, reassign, reply, note, trash and restore: each read with its token shows it', async () => {
      const sent = await patientSends('billing');
      const gabe = await member('mbr_gadmin');
      const assigned = tokenOf(
        await send('POST', url.routing(sent.threadId, 'assignment'), gabe, {
          body: { assigneeMemberId: 'mbr_assignee' },
          tokens: [sent.token],
        }),
        'assign',
      );
      expect(await groupThreads('mbr_assignee', 'billing', 'all', [assigned])).toContain(
        sent.threadId,
      );
      const reassigned = tokenOf(
        await send('POST', url.routing(sent.threadId, 'assignment'), gabe, {
          body: { assigneeMemberId: 'mbr_guser' },
        }),
        'reassign',
      );
      expect(await groupThreads('mbr_assignee', 'billing', 'all', [reassigned])).not.toContain(
        sent.threadId,
      );
      expect(await groupThreads('mbr_guser', 'billing', 'all', [reassigned])).toContain(
        sent.threadId,
      );
      const replied = tokenOf(
        await send('POST', url.routing(sent.threadId, 'replies'), await member('mbr_guser'), {
          body: { body: phiText('ct-reply') },
        }),
        'reply',
      );
      const opened = await send('GET', `${url.mailbox}/threads/${sent.threadId}`, patient, {
        tokens: [replied],
      });
      expect(describeAnswer(opened)).toBe('200');
      expect((opened.json as { replies: unknown[] }).replies).toHaveLength(1);
      // An internal note (gm.thread-notes): the Admin's open with its token shows it.
      const noted = tokenOf(
        await send('POST', url.routing(sent.threadId, 'notes'), await member('mbr_guser'), {
          body: { body: phiText('ct-note') },
        }),
        'note',
      );
      const staffView = await send('GET', `${url.inbox}/threads/${sent.threadId}`, gabe, {
        tokens: [noted],
      });
      expect(describeAnswer(staffView)).toBe('200');
      expect((staffView.json as { notes: unknown[] }).notes).toHaveLength(1);
      const trashed = tokenOf(
        await send('POST', url.routing(sent.threadId, 'trash'), gabe),
        'trash',
      );
      expect(await groupThreads('mbr_gadmin', 'billing', 'trash', [trashed])).toContain(
        sent.threadId,
      );
      const restored = tokenOf(
        await send('POST', url.routing(sent.threadId, 'restore'), gabe),
        'restore',
      );
      expect(await groupThreads('mbr_gadmin', 'billing', 'trash', [restored])).not.toContain(
        sent.threadId,
      );
      // The patient's open above was audited: its token shows the record in the trail.
      const read = opened.headers.get('consistency-token');
      expect(read).toMatch(TOKEN);
      const trail = await send(
        'GET',
        `${url.audit}?threadId=${sent.threadId}&limit=200`,
        await member('mbr_auditor'),
        { tokens: [read!, restored] },
      );
      expect(describeAnswer(trail)).toBe('200');
      const actions = (trail.json as { records: { action: string }[] }).records.map(
        (r) => r.action,
      );
      expect(actions).toEqual(
        expect.arrayContaining([
          'thread.read',
          'thread.assigned',
          'thread.replied',
          'thread.restored',
        ]),
      );
    });

    it("a follow-up reaches the Admin's thread view", async () => {
      const sent = await patientSends('billing');
      const followed = tokenOf(
        await send('POST', `${url.threads}/${sent.threadId}/messages`, patient, {
          body: { body: phiText('ct-follow-up') },
          tokens: [sent.token],
        }),
        'follow-up',
      );
      const view = await send(
        'GET',
        `${url.inbox}/threads/${sent.threadId}`,
        await member('mbr_gadmin'),
        {
          tokens: [followed],
        },
      );
      expect(describeAnswer(view)).toBe('200');
      expect((view.json as { messages: unknown[] }).messages).toHaveLength(2);
    });

    it('visibility follows the directory and the group: care team, removal from a group', async () => {
      const sent = await patientSends('care');
      expect(await groupThreads('mbr_care', 'care', 'all', [sent.token])).toContain(sent.threadId);
      // Ada's care team becomes Asa: Cara no longer sees the thread, Asa does.
      const careTeam = tokenOf(
        await send('PUT', `${url.directory}/patients/pat_a`, system, {
          body: {
            displayName: 'Ada Inuse',
            facilityId: 'fac_main',
            categoryIds: ['cat_diabetes'],
            careTeamMemberIds: ['mbr_assignee'],
          },
        }),
        'care team',
      );
      const cara = await send(
        'GET',
        `${url.inbox}/threads/${sent.threadId}`,
        await member('mbr_care'),
        { tokens: [careTeam] },
      );
      expect(describeAnswer(cara)).toBe('404 thread-not-found');
      expect(await groupThreads('mbr_assignee', 'care', 'all', [careTeam])).toContain(
        sent.threadId,
      );
      // Billing without Gwen: her assigned thread leaves her inbox.
      const billing = await patientSends('billing');
      const gabe = await member('mbr_gadmin');
      const assigned = tokenOf(
        await send('POST', url.routing(billing.threadId, 'assignment'), gabe, {
          body: { assigneeMemberId: 'mbr_guser' },
          tokens: [billing.token],
        }),
        'assign',
      );
      expect(await groupThreads('mbr_guser', 'billing', 'all', [assigned])).toContain(
        billing.threadId,
      );
      const group = await send('GET', `${url.groups}/${P.groupIds.billing}`, admin);
      const { version, ...state } = group.json as Record<string, unknown> & { version: number };
      const updated = tokenOf(
        await send('PUT', `${url.groups}/${P.groupIds.billing}`, admin, {
          body: {
            name: state.name,
            description: state.description,
            facilityId: state.facilityId,
            patientCategoryId: state.patientCategoryId,
            recipientMode: state.recipientMode,
            members: (state.members as { memberId: string; privilege: string }[])
              .filter((m) => m.memberId !== 'mbr_guser')
              .map(({ memberId, privilege }) => ({ memberId, privilege })),
          },
        }),
        `group update of version ${version}`,
      );
      const gwen = await send(
        'GET',
        `${url.inbox}/threads/${billing.threadId}`,
        await member('mbr_guser'),
        { tokens: [updated] },
      );
      expect(describeAnswer(gwen)).toBe('404 thread-not-found');
    });

    it('tokens of several writers, comma-separated, are all honoured', async () => {
      const sends = await Promise.all([
        patientSends('billing'),
        patientSends('billing'),
        patientSends('billing'),
      ]);
      const listed = await groupThreads(
        'mbr_gadmin',
        'billing',
        'all',
        sends.map((s) => s.token),
      );
      expect(listed).toEqual(expect.arrayContaining(sends.map((s) => s.threadId)));
    });

    it('a bad token is 400 invalid-consistency-token on every service, at once', async () => {
      const other = w.run.consistencyTokens[w.run.practices.other.practiceId]![0]!;
      const [format, writeId, issued, , mac] = other.split('.');
      const reads: [string, string][] = [
        [url.directory.replace(/\/directory$/, '/directory/members/mbr_padmin'), system],
        [url.groups, admin],
        [url.phr, admin],
        [url.recipients, patient],
        [url.routing('thr_none', 'timeline'), admin],
        [`${url.inbox}/groups`, admin],
        [url.audit, await member('mbr_auditor')],
      ];
      const bad = {
        'another practice': other,
        forged: `${format}.${writeId}.${issued}.s9.${mac}`,
        malformed: 'x.y',
        'more than 16': Array<string>(17).fill(other).join(','),
      };
      const answers: string[] = [];
      const before = Date.now();
      for (const [target, bearer] of reads) {
        for (const [label, header] of Object.entries(bad)) {
          const answer = await call('GET', target, {
            token: bearer,
            headers: { 'consistency-token': header },
          });
          expect(isProblem(answer)).toBe(true);
          answers.push(`${label}: ${answer.status} ${codeOf(answer)}`);
        }
      }
      expect(new Set(answers)).toEqual(
        new Set(Object.keys(bad).map((label) => `${label}: 400 invalid-consistency-token`)),
      );
      expect(Date.now() - before).toBeLessThan(5000);
    });
  });
});
