/**
 * Authorization matrix: every endpoint of practice-directory, group-config,
 * phr-preferences, messaging-intake and routing-assignment, called by every
 * kind of actor, over HTTP against the running services. Each row states the
 * status it expects; every answer is also searched for leaks:
 *
 * - a refusal (4xx) names nothing of the resource or of anyone: no subject or
 *   body, no display name, no id that the request did not carry itself;
 * - a 2xx answer to a patient names no staff member (id or name), except the
 *   members the To list offers that patient (their care team here);
 * - a 2xx answer to anyone carries nothing of the other practice.
 *
 * Ids repeat across the two practices on purpose (`mbr_gadmin`, `pat_a`, a
 * group called "Billing Team" in both): the tenant must come from the token.
 */
import { randomUUID } from 'node:crypto';
import { call, codeOf, describeAnswer, isProblem, type Answer } from './harness/http.js';
import type { ServiceName } from './harness/layout.js';
import {
  badSignatureToken,
  expiredToken,
  unsignedToken,
  type Principal,
} from './harness/tokens.js';
import { expectedToList, type SeededPractice } from './harness/fixtures.js';
import {
  patientSends,
  routed,
  summarize,
  timeline,
  world,
  type Sent,
  type Timeline,
} from './harness/world.js';

const w = world();
const M = w.run.practices.main;
const O = w.run.practices.other;

const ACTORS = [
  'patient',
  'otherPatient',
  'practiceAdmin',
  'groupAdmin',
  'groupUser',
  'assignee',
  'careTeam',
  'nonMember',
  'inactiveAdmin',
  'otherPracticeAdmin',
  'otherPracticeGroupAdmin',
  'otherPracticePatient',
  'system',
  'otherPracticeSystem',
  'noToken',
  'expired',
  'badSignature',
  'unsigned',
  'malformed',
  'wrongActorType',
] as const;
type Actor = (typeof ACTORS)[number];

const member = (p: SeededPractice, key: string): Principal => ({
  actor: 'member',
  sub: p.members[key].id,
  practiceId: p.practiceId,
});
const patient = (p: SeededPractice, key: string): Principal => ({
  actor: 'patient',
  sub: p.patients[key].id,
  practiceId: p.practiceId,
});

/** Who each named actor is (the broken-token actors borrow the endpoint owner's identity). */
const PRINCIPALS: Partial<Record<Actor, Principal>> = {
  patient: patient(M, 'patient'),
  otherPatient: patient(M, 'otherPatient'),
  practiceAdmin: member(M, 'practiceAdmin'),
  groupAdmin: member(M, 'groupAdmin'),
  groupUser: member(M, 'groupUser'),
  assignee: member(M, 'assignee'),
  careTeam: member(M, 'careTeam'),
  nonMember: member(M, 'nonMember'),
  inactiveAdmin: member(M, 'inactiveAdmin'),
  otherPracticeAdmin: member(O, 'practiceAdmin'),
  otherPracticeGroupAdmin: member(O, 'groupAdmin'),
  otherPracticePatient: patient(O, 'patient'),
  system: { actor: 'system', sub: M.systemId, practiceId: M.practiceId },
  otherPracticeSystem: { actor: 'system', sub: O.systemId, practiceId: O.practiceId },
};
const practiceOf = (actor: Actor) => (PRINCIPALS[actor]?.practiceId === O.practiceId ? O : M);

const PATIENTS: Actor[] = ['patient', 'otherPatient', 'otherPracticePatient'];
const SYSTEMS: Actor[] = ['system', 'otherPracticeSystem'];
const MEMBERS: Actor[] = ACTORS.filter((a) => PRINCIPALS[a]?.actor === 'member');
const BROKEN: Partial<Record<Actor, number>> = {
  noToken: 401,
  expired: 401,
  badSignature: 401,
  unsigned: 401,
  malformed: 401,
  wrongActorType: 403,
};

type Statuses = Record<Actor, number>;

/** Every actor's expected status: the route's audience gets `audience`, the others 403 actor-not-allowed, broken tokens 401. */
function expected(
  audience: 'system' | 'member' | 'patient',
  audienceDefault: number,
  overrides: Partial<Statuses>,
): Statuses {
  const kinds: Record<typeof audience, Actor[]> = {
    system: SYSTEMS,
    member: MEMBERS,
    patient: PATIENTS,
  };
  const statuses = {} as Statuses;
  for (const actor of ACTORS) {
    statuses[actor] =
      overrides[actor] ??
      BROKEN[actor] ??
      (kinds[audience].includes(actor) ? audienceDefault : 403);
  }
  return statuses;
}

interface Endpoint {
  name: string;
  service: ServiceName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The actor whose identity the broken tokens carry (the one the route is for). */
  owner: Actor;
  path: (actor: Actor) => string | Promise<string>;
  body?: (actor: Actor) => unknown;
  statuses: Statuses;
}

// --- the run's threads and strings -------------------------------------------

const threads = {} as Record<'group' | 'care' | 'direct' | 'foreign', Sent>;
/** Group names must be unique per practice, also when a run's services are reused. */
const TAG = randomUUID().slice(0, 8);
let scratch = 0;

/** Everything a refusal must never contain (unless the request carried it). */
function sensitiveEverywhere(): string[] {
  const strings = new Set<string>();
  for (const p of [M, O]) {
    strings.add(p.practiceId);
    strings.add(p.name);
    for (const m of Object.values(p.members)) strings.add(m.id).add(m.displayName);
    for (const pt of Object.values(p.patients)) strings.add(pt.id).add(pt.displayName);
    for (const g of Object.values(p.groups)) strings.add(g.name).add(g.description);
    for (const id of Object.values(p.groupIds)) strings.add(id);
  }
  for (const t of Object.values(threads)) strings.add(t.threadId).add(t.subject).add(t.body);
  return [...strings];
}

/** What a 2xx answer to an actor of practice `p` must never contain: the other practice's data. */
function otherPracticeStrings(p: SeededPractice): string[] {
  const other = p === M ? O : M;
  const strings = [other.practiceId, other.name, other.surname, ...Object.values(other.groupIds)];
  strings.push(...Object.values(other.groups).map((g) => g.description));
  const foreign = p === M ? [threads.foreign] : [threads.group, threads.care, threads.direct];
  for (const t of foreign) strings.push(t.threadId, t.subject, t.body);
  return strings;
}

/** Staff identities a patient must not see. */
const STAFF: string[] = [M, O].flatMap((p) =>
  Object.values(p.members).flatMap((m) => [m.id, m.displayName]),
);

function leaks(endpoint: Endpoint, actor: Actor, request: string, answer: Answer): string[] {
  const found: string[] = [];
  const absent = (strings: string[], text: string, what: string) => {
    for (const s of strings)
      if (s && !request.includes(s) && text.includes(s)) found.push(`${what} "${s}"`);
  };
  if (answer.status >= 400) {
    absent(sensitiveEverywhere(), answer.text, 'refusal names');
    return found;
  }
  const principal = PRINCIPALS[actor];
  if (!principal) return found;
  const practice = practiceOf(actor);
  absent(otherPracticeStrings(practice), answer.text, "answer carries the other practice's");
  if (principal.actor === 'patient') {
    let visible = answer.text;
    if (endpoint.path === PATHS.recipients) {
      const list = answer.json as {
        groups: Record<string, unknown>[];
        members: { memberId: string }[];
      };
      for (const g of list.groups) {
        const keys = Object.keys(g).sort().join();
        if (keys !== 'description,groupId,name') found.push(`a To-list group shows ${keys}`);
      }
      const patientKey = Object.entries(practice.patients).find(
        ([, p]) => p.id === principal.sub,
      )?.[0];
      const allowed = patientKey
        ? expectedToList(practice, patientKey, practice.groupIds).members
        : [];
      // The directory rows above add a member; "all members" offers them too.
      if (practice.phr.memberRecipients === 'all-members') allowed.push('mbr_matrix');
      for (const m of list.members) {
        if (!allowed.includes(m.memberId)) found.push(`To list offers member ${m.memberId}`);
      }
      visible = JSON.stringify({ ...list, members: [] });
    }
    absent(STAFF, visible, 'patient sees staff');
  }
  return found;
}

// --- the endpoints -----------------------------------------------------------

const PATHS = {
  recipients: () => '/recipients',
};

async function scratchGroup(p: SeededPractice): Promise<string> {
  const answer = await call('POST', `${w.urls['group-config']}/message-groups`, {
    token: await w.tokens.member(p.practiceId, p.settingsAdmin),
    body: {
      name: `Scratch ${TAG} ${++scratch}`,
      recipientMode: 'specific-members',
      members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
    },
  });
  if (answer.status !== 201) throw new Error(`scratch group: ${describeAnswer(answer)}`);
  return (answer.json as { groupId: string }).groupId;
}

const directoryEndpoints = (): Endpoint[] => {
  const sys = (overrides: Partial<Statuses>) => expected('system', 200, { ...overrides });
  const put = (name: string, path: string, body: (p: SeededPractice) => unknown): Endpoint => ({
    name: `PUT /directory/${name}`,
    service: 'practice-directory',
    method: 'PUT',
    owner: 'system',
    path: () => path,
    body: (actor) => body(practiceOf(actor)),
    statuses: sys({}),
  });
  return [
    {
      name: 'POST /directory/import',
      service: 'practice-directory',
      method: 'POST',
      owner: 'system',
      path: () => '/directory/import',
      body: (actor) => ({
        practice: { name: practiceOf(actor).name, plan: practiceOf(actor).plan },
      }),
      statuses: sys({}),
    },
    put('practice', '/directory/practice', (p) => ({ name: p.name, plan: p.plan })),
    put('facilities/:id', '/directory/facilities/fac_matrix', () => ({ name: 'Matrix Clinic' })),
    put('patient-categories/:id', '/directory/patient-categories/cat_matrix', () => ({
      name: 'Matrix Category',
    })),
    put('roles/:id', '/directory/roles/role_matrix', () => ({
      name: 'Matrix Role',
      privileges: [],
    })),
    put('members/:id', '/directory/members/mbr_matrix', (p) => ({
      displayName: `Mira ${p.surname}`,
      roleId: null,
    })),
    put('patients/:id', '/directory/patients/pat_matrix', (p) => ({
      displayName: `Pia ${p.surname}`,
      facilityId: null,
      categoryIds: [],
      careTeamMemberIds: [],
    })),
    {
      name: 'GET /directory/member/:id (only in this practice)',
      service: 'practice-directory',
      method: 'GET',
      owner: 'system',
      path: () => `/directory/member/${M.members.careTeam.id}`,
      statuses: sys({ otherPracticeSystem: 404 }),
    },
    {
      name: 'GET /directory/patient/:id (the id exists in both practices)',
      service: 'practice-directory',
      method: 'GET',
      owner: 'system',
      path: () => `/directory/patient/${M.patients.patient.id}`,
      statuses: sys({}),
    },
  ];
};

const groupConfigEndpoints = (): Endpoint[] => {
  const settings = (overrides: Partial<Statuses>) =>
    expected('member', 403, { practiceAdmin: 200, otherPracticeAdmin: 200, ...overrides });
  const group = (p: SeededPractice) => `/message-groups/${p.groupIds.billing}`;
  const groupBody = (actor: Actor) => practiceOf(actor).groups.billing;
  return [
    {
      name: 'GET /message-groups',
      service: 'group-config',
      method: 'GET',
      owner: 'practiceAdmin',
      path: () => '/message-groups',
      statuses: settings({}),
    },
    {
      name: 'POST /message-groups',
      service: 'group-config',
      method: 'POST',
      owner: 'practiceAdmin',
      path: () => '/message-groups',
      body: (actor) => ({
        name: `Matrix ${actor} ${TAG} ${++scratch}`,
        description: 'created by the authorization matrix',
        recipientMode: 'specific-members',
        members: [{ memberId: 'mbr_gadmin', privilege: 'admin' }],
      }),
      statuses: settings({ practiceAdmin: 201, otherPracticeAdmin: 201 }),
    },
    {
      name: "GET /message-groups/:groupId (this practice's)",
      service: 'group-config',
      method: 'GET',
      owner: 'practiceAdmin',
      path: () => group(M),
      statuses: settings({ otherPracticeAdmin: 404 }),
    },
    {
      name: "PUT /message-groups/:groupId (this practice's)",
      service: 'group-config',
      method: 'PUT',
      owner: 'practiceAdmin',
      path: () => group(M),
      body: () => M.groups.billing,
      statuses: settings({ otherPracticeAdmin: 404 }),
    },
    {
      name: "DELETE /message-groups/:groupId (this practice's)",
      service: 'group-config',
      method: 'DELETE',
      owner: 'practiceAdmin',
      // Whoever may delete deletes a scratch group; everyone else aims at Billing.
      path: async (actor) =>
        actor === 'practiceAdmin' ? `/message-groups/${await scratchGroup(M)}` : group(M),
      statuses: settings({ practiceAdmin: 204, otherPracticeAdmin: 404 }),
    },
    {
      name: "GET /message-groups/:groupId (the other practice's)",
      service: 'group-config',
      method: 'GET',
      owner: 'practiceAdmin',
      path: () => group(O),
      statuses: settings({ practiceAdmin: 404 }),
    },
    {
      name: "PUT /message-groups/:groupId (the other practice's)",
      service: 'group-config',
      method: 'PUT',
      owner: 'practiceAdmin',
      path: () => group(O),
      body: groupBody,
      statuses: settings({ practiceAdmin: 404 }),
    },
    {
      name: "DELETE /message-groups/:groupId (the other practice's)",
      service: 'group-config',
      method: 'DELETE',
      owner: 'practiceAdmin',
      path: async (actor) =>
        actor === 'otherPracticeAdmin' ? `/message-groups/${await scratchGroup(O)}` : group(O),
      statuses: settings({ practiceAdmin: 404, otherPracticeAdmin: 204 }),
    },
  ];
};

const phrEndpoints = (): Endpoint[] => {
  const settings = expected('member', 403, { practiceAdmin: 200, otherPracticeAdmin: 200 });
  return [
    {
      name: 'GET /phr-preferences',
      service: 'phr-preferences',
      method: 'GET',
      owner: 'practiceAdmin',
      path: () => '/phr-preferences',
      statuses: settings,
    },
    {
      name: 'PUT /phr-preferences',
      service: 'phr-preferences',
      method: 'PUT',
      owner: 'practiceAdmin',
      path: () => '/phr-preferences',
      body: (actor) => practiceOf(actor).phr,
      statuses: settings,
    },
  ];
};

const intakeEndpoints = (): Endpoint[] => [
  {
    name: 'GET /recipients',
    service: 'messaging-intake',
    method: 'GET',
    owner: 'patient',
    path: PATHS.recipients,
    statuses: expected('patient', 200, {}),
  },
  {
    name: "POST /threads (to this practice's group)",
    service: 'messaging-intake',
    method: 'POST',
    owner: 'patient',
    path: () => '/threads',
    body: () => ({
      recipient: { kind: 'group', groupId: M.groupIds.billing },
      subject: 'Matrix question',
      body: 'Sent by the authorization matrix',
    }),
    statuses: expected('patient', 202, { otherPracticePatient: 403 }),
  },
  {
    name: 'POST /threads (to a member of the care team)',
    service: 'messaging-intake',
    method: 'POST',
    owner: 'patient',
    path: () => '/threads',
    body: () => ({
      recipient: { kind: 'member', memberId: M.members.careTeam.id },
      subject: 'Matrix question to my care team',
      body: 'Sent by the authorization matrix',
    }),
    statuses: expected('patient', 403, { patient: 202 }),
  },
  {
    name: "POST /threads/:threadId/messages (the patient's own thread)",
    service: 'messaging-intake',
    method: 'POST',
    owner: 'patient',
    path: () => `/threads/${threads.group.threadId}/messages`,
    body: () => ({ body: 'Matrix follow-up' }),
    statuses: expected('patient', 404, { patient: 202 }),
  },
  {
    name: "POST /threads/:threadId/messages (the other practice's thread)",
    service: 'messaging-intake',
    method: 'POST',
    owner: 'patient',
    path: () => `/threads/${threads.foreign.threadId}/messages`,
    body: () => ({ body: 'Matrix follow-up' }),
    statuses: expected('patient', 404, { otherPracticePatient: 202 }),
  },
];

type ThreadKey = keyof typeof threads;

/** The five thread routes for one thread; `allowed` gives the members' statuses per route (others: 404). */
function threadEndpoints(
  key: ThreadKey,
  label: string,
  owner: Actor,
  assignee: string,
  allowed: Record<'timeline' | 'assignment' | 'replies' | 'trash' | 'restore', Partial<Statuses>>,
): Endpoint[] {
  const route = (
    method: 'GET' | 'POST',
    name: keyof typeof allowed,
    body?: () => unknown,
  ): Endpoint => ({
    name: `${method} /threads/:threadId/${name} (${label})`,
    service: 'routing-assignment',
    method,
    owner,
    path: () => `/threads/${threads[key].threadId}/${name}`,
    body,
    statuses: expected('member', 404, allowed[name]),
  });
  return [
    route('GET', 'timeline'),
    route('POST', 'assignment', () => ({ assigneeMemberId: assignee })),
    route('POST', 'replies', () => ({ body: 'Matrix reply' })),
    route('POST', 'trash'),
    route('POST', 'restore'),
  ];
}

const routingEndpoints = (): Endpoint[] => {
  const adminOnly = (admin: Actor, knows: Actor[], ok = 200) => ({
    [admin]: ok,
    ...Object.fromEntries(knows.map((a) => [a, 403])),
  });
  const group = ['groupUser', 'assignee'] as Actor[];
  return [
    ...threadEndpoints('group', 'group thread, assigned to a User', 'groupAdmin', 'mbr_assignee', {
      timeline: adminOnly('groupAdmin', group),
      assignment: adminOnly('groupAdmin', group),
      replies: { groupAdmin: 202, assignee: 202, groupUser: 403 },
      trash: adminOnly('groupAdmin', group),
      restore: adminOnly('groupAdmin', group),
    }),
    ...threadEndpoints('care', 'care-team group thread', 'groupAdmin', 'mbr_care', {
      timeline: adminOnly('groupAdmin', ['careTeam']),
      assignment: adminOnly('groupAdmin', ['careTeam']),
      replies: { groupAdmin: 202, careTeam: 202 },
      trash: adminOnly('groupAdmin', ['careTeam']),
      restore: adminOnly('groupAdmin', ['careTeam']),
    }),
    ...threadEndpoints('direct', 'direct message to a member', 'careTeam', 'mbr_care', {
      timeline: { careTeam: 200 },
      assignment: { careTeam: 409 },
      replies: { careTeam: 202 },
      trash: { careTeam: 200 },
      restore: { careTeam: 200 },
    }),
    ...threadEndpoints('foreign', "the other practice's thread", 'groupAdmin', 'mbr_gadmin', {
      timeline: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
      assignment: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
      replies: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin'], 202),
      trash: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
      restore: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
    }),
  ];
};

// --- running rows ------------------------------------------------------------

const tally = { cases: 0, passed: 0, leaks: 0 };

async function authorization(actor: Actor, endpoint: Endpoint): Promise<string | undefined> {
  const owner = PRINCIPALS[endpoint.owner] as Principal;
  switch (actor) {
    case 'noToken':
      return undefined;
    case 'expired':
      return `Bearer ${await expiredToken(w.run.secret, owner)}`;
    case 'badSignature':
      return `Bearer ${await badSignatureToken(owner)}`;
    case 'unsigned':
      return `Bearer ${unsignedToken(owner)}`;
    case 'malformed':
      return 'Bearer not-a-jwt';
    case 'wrongActorType':
      return `Bearer ${await w.tokens.for({ ...owner, actor: owner.actor === 'member' ? 'patient' : 'member' })}`;
    default:
      return `Bearer ${await w.tokens.for(PRINCIPALS[actor] as Principal)}`;
  }
}

/** Refusals first, successes last: a success may change state (trash) that later rows must not see. */
const order = (endpoint: Endpoint): Actor[] =>
  [...ACTORS].sort(
    (a, b) => Number(endpoint.statuses[a] < 300) - Number(endpoint.statuses[b] < 300),
  );

async function runEndpoint(endpoint: Endpoint): Promise<string[]> {
  const failures: string[] = [];
  for (const actor of order(endpoint)) {
    const expectedStatus = endpoint.statuses[actor];
    const path = await endpoint.path(actor);
    const body = endpoint.body?.(actor);
    const answer = await call(endpoint.method, `${w.urls[endpoint.service]}${path}`, {
      authorization: await authorization(actor, endpoint),
      body,
    });
    const problems: string[] = [];
    if (answer.status !== expectedStatus) {
      problems.push(`expected ${expectedStatus}, got ${describeAnswer(answer)}`);
    }
    if (answer.status >= 400 && !isProblem(answer)) {
      problems.push(
        `not problem+json with a code: ${answer.contentType} ${answer.text.slice(0, 120)}`,
      );
    }
    if (answer.status === 401 && !/^Bearer/.test(answer.headers.get('www-authenticate') ?? '')) {
      problems.push('401 without a Bearer challenge');
    }
    if (answer.status === 403 && BROKEN[actor] === 403 && codeOf(answer) !== 'actor-not-allowed') {
      problems.push(`wrong actor type answered ${codeOf(answer)}, not actor-not-allowed`);
    }
    const leaked = leaks(endpoint, actor, path + JSON.stringify(body ?? null), answer);
    if (leaked.length) {
      tally.leaks++;
      problems.push(`LEAK: ${leaked.join('; ')}`);
    }
    tally.cases++;
    if (problems.length) failures.push(`${actor}: ${problems.join('; ')}`);
    else tally.passed++;
  }
  return failures;
}

// --- the suite ---------------------------------------------------------------

const SECTIONS: [string, () => Endpoint[]][] = [
  ['practice-directory', directoryEndpoints],
  ['group-config', groupConfigEndpoints],
  ['phr-preferences', phrEndpoints],
  ['messaging-intake', intakeEndpoints],
  ['routing-assignment', routingEndpoints],
];

describe('authorization matrix (every endpoint × actor)', () => {
  const started = Date.now();

  beforeAll(async () => {
    const billing = { kind: 'group' as const, groupId: M.groupIds.billing };
    threads.group = await patientSends(w, M.practiceId, 'pat_a', billing);
    threads.care = await patientSends(w, M.practiceId, 'pat_a', {
      kind: 'group',
      groupId: M.groupIds.care,
    });
    threads.direct = await patientSends(w, M.practiceId, 'pat_a', {
      kind: 'member',
      memberId: M.members.careTeam.id,
    });
    threads.foreign = await patientSends(w, O.practiceId, 'pat_a', {
      kind: 'group',
      groupId: O.groupIds.billing,
    });
    // The practice side has them once routing answers their Admin (addressee).
    await routed(w, M.practiceId, 'mbr_gadmin', threads.group.threadId);
    await routed(w, M.practiceId, 'mbr_gadmin', threads.care.threadId);
    await routed(w, M.practiceId, 'mbr_care', threads.direct.threadId);
    await routed(w, O.practiceId, 'mbr_gadmin', threads.foreign.threadId);
    const assigned = await call(
      'POST',
      `${w.urls['routing-assignment']}/threads/${threads.group.threadId}/assignment`,
      {
        token: await w.tokens.member(M.practiceId, 'mbr_gadmin'),
        body: { assigneeMemberId: 'mbr_assignee' },
      },
    );
    expect(assigned.status).toBe(200);
  }, 60_000);

  afterAll(() => {
    summarize(
      w,
      `authorization matrix: ${tally.cases} cases, ${tally.passed} passed, ${tally.leaks} leaks ` +
        `(${ACTORS.length} actors, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  });

  for (const [service, endpoints] of SECTIONS) {
    describe(service, () => {
      for (const endpoint of endpoints()) {
        it(`${endpoint.name}: ${ACTORS.length} actors`, async () => {
          expect(await runEndpoint(endpoint)).toEqual([]);
        }, 60_000);
      }
    });
  }

  it('the leak search finds planted leaks (it is not vacuous)', () => {
    const planted = (status: number, json: unknown): Answer => ({
      status,
      contentType: 'application/json',
      headers: new Headers(),
      text: JSON.stringify(json),
      json,
    });
    const recipients = intakeEndpoints()[0];
    const followUp = intakeEndpoints()[3];
    expect(
      leaks(
        followUp,
        'otherPatient',
        '/threads/x',
        planted(404, { detail: M.patients.patient.displayName }),
      ),
    ).toHaveLength(1);
    expect(
      leaks(
        followUp,
        'patient',
        '/threads/x',
        planted(202, { by: M.members.groupAdmin.displayName }),
      ),
    ).toHaveLength(1);
    expect(
      leaks(
        recipients,
        'patient',
        '/recipients',
        planted(200, {
          groups: [{ groupId: 'g', name: 'n', description: 'd', members: ['mbr_gadmin'] }],
          members: [{ memberId: M.members.groupUser.id }],
        }),
      ).length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      leaks(
        recipients,
        'practiceAdmin',
        '/x',
        planted(200, { name: O.members.practiceAdmin.displayName }),
      ),
    ).toHaveLength(1);
  });

  describe('what the refusals left unchanged', () => {
    const kinds = (t: Timeline) =>
      t.entries.reduce<Record<string, number>>(
        (counts, e) => ({ ...counts, [e.kind]: (counts[e.kind] ?? 0) + 1 }),
        {},
      );

    it('threads changed only by the rows that were allowed', async () => {
      const checks: [SeededPractice, string, ThreadKey, Record<string, number>][] = [
        [M, 'mbr_gadmin', 'group', { assigned: 1, replied: 2, trashed: 1, restored: 1 }],
        [M, 'mbr_gadmin', 'care', { assigned: 1, replied: 2, trashed: 1, restored: 1 }],
        [M, 'mbr_care', 'direct', { replied: 1, trashed: 1, restored: 1 }],
        [O, 'mbr_gadmin', 'foreign', { assigned: 1, replied: 1, trashed: 1, restored: 1 }],
      ];
      for (const [p, reader, key, counts] of checks) {
        const answer = await timeline(w, p.practiceId, reader, threads[key].threadId);
        const seen = kinds(answer.json as Timeline);
        expect({
          thread: key,
          ...Object.fromEntries(Object.keys(counts).map((k) => [k, seen[k] ?? 0])),
        }).toEqual({
          thread: key,
          ...counts,
        });
        expect((answer.json as Timeline).trashed).toBe(false);
      }
    });

    it('groups the refused deletes aimed at still exist, unchanged', async () => {
      for (const p of [M, O]) {
        const answer = await call(
          'GET',
          `${w.urls['group-config']}/message-groups/${p.groupIds.billing}`,
          { token: await w.tokens.member(p.practiceId, p.settingsAdmin) },
        );
        expect(answer.status).toBe(200);
        const { name, members } = answer.json as { name: string; members: { memberId: string }[] };
        expect({ name, members: members.map((m) => m.memberId) }).toEqual({
          name: p.groups.billing.name,
          members: p.groups.billing.members.map((m) => m.memberId),
        });
      }
    });
  });
});
