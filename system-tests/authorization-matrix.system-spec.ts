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
import { waitFor } from '@gm/testing';
import { randomUUID } from 'node:crypto';
import {
  call,
  codeOf,
  describeAnswer,
  answered,
  eventually,
  isProblem,
  type Answer,
} from './harness/http.js';
import {
  openFeed,
  type Feed,
  type InboxGroups,
  type InboxListing,
  type Mailbox,
  type MailboxThread,
  type MemberThread,
} from './harness/inbox.js';
import { SERVICE_NAMES, type ServiceName } from './harness/layout.js';
import {
  badSignatureToken,
  expiredToken,
  OPERATOR_SCOPE,
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
  'operator',
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
  // A platform operator's system client (ADR 0019): the gm:operator scope; its token names a practice like any.
  operator: { actor: 'system', sub: 'ops_oncall', practiceId: M.practiceId, scope: OPERATOR_SCOPE },
};
const practiceOf = (actor: Actor) => (PRINCIPALS[actor]?.practiceId === O.practiceId ? O : M);

const PATIENTS: Actor[] = ['patient', 'otherPatient', 'otherPracticePatient'];
const SYSTEMS: Actor[] = ['system', 'otherPracticeSystem', 'operator'];
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

/** What a content check found in a 2xx answer: leaks, and other wrong contents. */
interface Findings {
  leaks: string[];
  wrong: string[];
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
  /** A Server-Sent Events route: a 2xx is checked for its headers, then closed. */
  feed?: boolean;
  /** Runs before every other actor (instead of refusals first, successes last). */
  first?: Actor;
  /** The problem code some actors' refusals must carry. */
  codes?: Partial<Record<Actor, string>>;
  /** What a 2xx answer to `actor` must (not) contain, beyond the generic leak search. */
  check?: (actor: Actor, answer: Answer) => Findings;
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

/** The workflow settings every allowed PUT /message-groups/:groupId/workflow row sends. */
const WORKFLOW = {
  responseTargetSeconds: 86_400,
  businessHours: {
    timeZone: 'America/Chicago',
    weekly: [
      { day: 'mon', opens: '08:00', closes: '12:00' },
      { day: 'mon', opens: '13:00', closes: '17:00' },
      { day: 'fri', opens: '08:00', closes: '24:00' },
    ],
    closedDates: ['2026-12-25'],
  },
  acknowledgement: {
    when: 'outside-business-hours',
    text: 'Thank you for your message: we reply on the next business day.',
  },
  returnToQueueSeconds: 172_800,
};

/** The templates every allowed PUT /message-groups/:groupId/quick-replies row sends (no ids: sent again, the same). */
const QUICK_REPLIES = {
  quickReplies: [
    {
      title: 'Statement corrected',
      text: 'Your statement is corrected: the new one is in the mail.',
    },
    { title: 'Call us', text: 'Please call the office on a weekday,\nbetween 8 and 5.' },
  ],
};

/** The periods every allowed PUT /members/:memberId/out-of-office row sends: far ahead, acting on nothing here. */
const OUT_OF_OFFICE = {
  periods: [
    {
      startsAt: '2099-01-04T08:00:00.000Z',
      endsAt: '2099-01-09T17:00:00.000Z',
      coverMemberId: null,
    },
  ],
};

/**
 * A group per practice with the members of its Billing Team (an Admin and
 * Users), whose workflow the workflow rows read and write: no thread is
 * routed to it, so its response target, acknowledgement and return to queue
 * act on nothing the other rows look at.
 */
const workflowGroups = new Map<string, Promise<string>>();
/** The workflow groups created so far, per practice (the inbox lists them to their members). */
const workflowGroupIds = new Map<string, string>();
function workflowGroup(p: SeededPractice): Promise<string> {
  let groupId = workflowGroups.get(p.practiceId);
  if (!groupId) {
    groupId = (async () => {
      const answer = await call('POST', `${w.urls['group-config']}/message-groups`, {
        token: await w.tokens.member(p.practiceId, p.settingsAdmin),
        body: {
          name: `Workflow ${TAG}`,
          recipientMode: 'specific-members',
          members: p.groups.billing.members,
        },
      });
      if (answer.status !== 201) throw new Error(`workflow group: ${describeAnswer(answer)}`);
      const { groupId: id } = answer.json as { groupId: string };
      workflowGroupIds.set(p.practiceId, id);
      return id;
    })();
    workflowGroups.set(p.practiceId, groupId);
  }
  return groupId;
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
    // A group's workflow: its members read it, its Admins change it, and so do
    // Practice Access holders; another practice's group is 404 to everyone there.
    {
      name: "GET /message-groups/:groupId/workflow (this practice's)",
      service: 'group-config',
      method: 'GET',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(M)}/workflow`,
      statuses: expected('member', 403, {
        practiceAdmin: 200,
        groupAdmin: 200,
        groupUser: 200,
        assignee: 200,
        otherPracticeAdmin: 404,
        otherPracticeGroupAdmin: 404,
      }),
      codes: {
        careTeam: 'group-member-required',
        nonMember: 'group-member-required',
        inactiveAdmin: 'group-member-required',
        otherPracticeAdmin: 'group-not-found',
        otherPracticeGroupAdmin: 'group-not-found',
      },
    },
    {
      name: "PUT /message-groups/:groupId/workflow (this practice's)",
      service: 'group-config',
      method: 'PUT',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(M)}/workflow`,
      body: () => WORKFLOW,
      statuses: expected('member', 403, {
        practiceAdmin: 200,
        groupAdmin: 200,
        otherPracticeAdmin: 404,
        otherPracticeGroupAdmin: 404,
      }),
      codes: {
        groupUser: 'group-admin-required',
        assignee: 'group-admin-required',
        nonMember: 'group-admin-required',
        inactiveAdmin: 'group-admin-required',
        otherPracticeGroupAdmin: 'group-not-found',
      },
    },
    {
      name: "GET /message-groups/:groupId/workflow (the other practice's)",
      service: 'group-config',
      method: 'GET',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(O)}/workflow`,
      statuses: expected('member', 404, { otherPracticeAdmin: 200, otherPracticeGroupAdmin: 200 }),
      codes: { groupAdmin: 'group-not-found', practiceAdmin: 'group-not-found' },
    },
    {
      name: "PUT /message-groups/:groupId/workflow (the other practice's)",
      service: 'group-config',
      method: 'PUT',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(O)}/workflow`,
      body: () => WORKFLOW,
      statuses: expected('member', 404, { otherPracticeAdmin: 200, otherPracticeGroupAdmin: 200 }),
      codes: { groupAdmin: 'group-not-found', practiceAdmin: 'group-not-found' },
    },
    // A group's quick replies (on the workflow rows' group): the workflow's rule and codes.
    {
      name: "GET /message-groups/:groupId/quick-replies (this practice's)",
      service: 'group-config',
      method: 'GET',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(M)}/quick-replies`,
      statuses: expected('member', 403, {
        practiceAdmin: 200,
        groupAdmin: 200,
        groupUser: 200,
        assignee: 200,
        otherPracticeAdmin: 404,
        otherPracticeGroupAdmin: 404,
      }),
      codes: {
        careTeam: 'group-member-required',
        nonMember: 'group-member-required',
        inactiveAdmin: 'group-member-required',
        otherPracticeAdmin: 'group-not-found',
        otherPracticeGroupAdmin: 'group-not-found',
      },
    },
    {
      name: "PUT /message-groups/:groupId/quick-replies (this practice's)",
      service: 'group-config',
      method: 'PUT',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(M)}/quick-replies`,
      body: () => QUICK_REPLIES,
      statuses: expected('member', 403, {
        practiceAdmin: 200,
        groupAdmin: 200,
        otherPracticeAdmin: 404,
        otherPracticeGroupAdmin: 404,
      }),
      codes: {
        groupUser: 'group-admin-required',
        assignee: 'group-admin-required',
        nonMember: 'group-admin-required',
        inactiveAdmin: 'group-admin-required',
        otherPracticeGroupAdmin: 'group-not-found',
      },
    },
    {
      name: "GET /message-groups/:groupId/quick-replies (the other practice's)",
      service: 'group-config',
      method: 'GET',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(O)}/quick-replies`,
      statuses: expected('member', 404, { otherPracticeAdmin: 200, otherPracticeGroupAdmin: 200 }),
      codes: { groupAdmin: 'group-not-found', practiceAdmin: 'group-not-found' },
    },
    {
      name: "PUT /message-groups/:groupId/quick-replies (the other practice's)",
      service: 'group-config',
      method: 'PUT',
      owner: 'groupAdmin',
      path: async () => `/message-groups/${await workflowGroup(O)}/quick-replies`,
      body: () => QUICK_REPLIES,
      statuses: expected('member', 404, { otherPracticeAdmin: 200, otherPracticeGroupAdmin: 200 }),
      codes: { groupAdmin: 'group-not-found', practiceAdmin: 'group-not-found' },
    },
    // A User's own periods: she, an Admin of her group and Practice Access holders; no colleague.
    // The other practice has no member of that id: not found there.
    ...(['GET', 'PUT'] as const).map((method): Endpoint => ({
      name: `${method} /members/:memberId/out-of-office`,
      service: 'group-config',
      method,
      owner: 'groupUser',
      path: () => `/members/${M.members.groupUser.id}/out-of-office`,
      ...(method === 'PUT' ? { body: () => OUT_OF_OFFICE } : {}),
      statuses: expected('member', 403, {
        practiceAdmin: 200,
        groupAdmin: 200,
        groupUser: 200,
        otherPracticeAdmin: 404,
        otherPracticeGroupAdmin: 404,
      }),
      codes: {
        otherPracticeAdmin: 'member-not-found',
        otherPracticeGroupAdmin: 'member-not-found',
        assignee: 'out-of-office-access-required',
        nonMember: 'out-of-office-access-required',
        inactiveAdmin: 'out-of-office-access-required',
      },
    })),
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

/** The six thread routes for one thread; `allowed` gives the members' statuses per route (others: 404). */
function threadEndpoints(
  key: ThreadKey,
  label: string,
  owner: Actor,
  assignee: string,
  allowed: Record<
    'timeline' | 'assignment' | 'replies' | 'notes' | 'trash' | 'restore',
    Partial<Statuses>
  >,
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
    route('POST', 'notes', () => ({ body: 'Matrix note' })),
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
      // The audience only: the group's other User learns nothing (404).
      notes: { groupAdmin: 201, assignee: 201 },
      trash: adminOnly('groupAdmin', group),
      restore: adminOnly('groupAdmin', group),
    }),
    ...threadEndpoints('care', 'care-team group thread', 'groupAdmin', 'mbr_care', {
      timeline: adminOnly('groupAdmin', ['careTeam']),
      assignment: adminOnly('groupAdmin', ['careTeam']),
      replies: { groupAdmin: 202, careTeam: 202 },
      notes: { groupAdmin: 201, careTeam: 201 },
      trash: adminOnly('groupAdmin', ['careTeam']),
      restore: adminOnly('groupAdmin', ['careTeam']),
    }),
    ...threadEndpoints('direct', 'direct message to a member', 'careTeam', 'mbr_care', {
      timeline: { careTeam: 200 },
      assignment: { careTeam: 409 },
      replies: { careTeam: 202 },
      notes: { careTeam: 201 },
      trash: { careTeam: 200 },
      restore: { careTeam: 200 },
    }),
    ...threadEndpoints('foreign', "the other practice's thread", 'groupAdmin', 'mbr_gadmin', {
      timeline: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
      assignment: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
      replies: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin'], 202),
      notes: { otherPracticeGroupAdmin: 201 },
      trash: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
      restore: adminOnly('otherPracticeGroupAdmin', ['otherPracticeAdmin']),
    }),
  ];
};

// --- inbox-projection: what each actor may see of the run's threads ------------

/**
 * Who sees each of the run's threads in the read model once the routing rows
 * above have run (ADR 0012 "Visibility"): `group` is assigned to the assignee
 * (a User; the other User, Gwen, must not see it), `care` is a care-team
 * group's (the patient's care team and the group's Admin), `direct` is
 * addressed to Cara alone, `foreign` is the other practice's (its Admin; the
 * User there is not its assignee).
 */
const SEES: Record<ThreadKey, Actor[]> = {
  group: ['groupAdmin', 'assignee'],
  care: ['groupAdmin', 'careTeam'],
  direct: ['careTeam'],
  foreign: ['otherPracticeGroupAdmin'],
};
/** Whose thread each one is (the patient who wrote it). */
const WRITER: Record<ThreadKey, Actor> = {
  group: 'patient',
  care: 'patient',
  direct: 'patient',
  foreign: 'otherPracticePatient',
};
/** Those with the Admin tag on a thread (the others see it as assignee, care team or addressee). */
const ADMIN_OF: Record<ThreadKey, Actor[]> = {
  group: ['groupAdmin'],
  care: ['groupAdmin'],
  direct: [],
  foreign: ['otherPracticeGroupAdmin'],
};
const THREAD_KEYS: ThreadKey[] = ['group', 'care', 'direct', 'foreign'];
const none = (): Findings => ({ leaks: [], wrong: [] });

/**
 * A list of threads (a member's group or direct list, a patient's mailbox):
 * no thread of the run that the actor may not open (a leak), every one of
 * `shows` that the actor may open (unless `complete` is false: a box that
 * depends on read markers), and, for Users, only threads assigned to them.
 */
function listCheck(
  shows: ThreadKey[],
  options: { users?: Actor[]; complete?: boolean; names?: Partial<Record<ThreadKey, string>> } = {},
) {
  return (actor: Actor, answer: Answer): Findings => {
    const found = none();
    const items = (answer.json as InboxListing | Mailbox | undefined)?.threads;
    if (!Array.isArray(items)) return { leaks: [], wrong: ['no threads array'] };
    const listed = new Map(items.map((t) => [t.threadId, t]));
    const patientActor = PRINCIPALS[actor]?.actor === 'patient';
    for (const key of THREAD_KEYS) {
      const id = threads[key].threadId;
      const mayOpen = patientActor ? WRITER[key] === actor : SEES[key].includes(actor);
      if (listed.has(id) && !mayOpen) found.leaks.push(`lists the ${key} thread`);
      else if (listed.has(id) && !shows.includes(key))
        found.wrong.push(`lists the ${key} thread here`);
      else if (mayOpen && shows.includes(key) && options.complete !== false && !listed.has(id))
        found.wrong.push(`misses the ${key} thread`);
      const name = options.names?.[key];
      const item = listed.get(id) as Mailbox['threads'][number] | undefined;
      if (item && name !== undefined && item.groupName !== name)
        found.wrong.push(`shows the ${key} thread from "${item.groupName}", not "${name}"`);
    }
    if (options.users?.includes(actor)) {
      const me = PRINCIPALS[actor]!.sub;
      for (const t of items as InboxListing['threads']) {
        if (t.assigneeMemberId !== me)
          found.leaks.push(`a User sees ${t.threadId}, assigned to ${t.assigneeMemberId}`);
      }
    }
    return found;
  };
}

/** My groups: exactly the seeded groups the actor belongs to (or holds care-team threads of). */
function groupsCheck(actor: Actor, answer: Answer): Findings {
  const found = none();
  const { groups } = answer.json as InboxGroups;
  const p = practiceOf(actor);
  const key = Object.entries(p.members).find(([, m]) => m.id === PRINCIPALS[actor]?.sub)?.[0];
  const expectedGroups = new Map<string, boolean>();
  for (const [name, g] of Object.entries(p.groups)) {
    const membership = g.members.find((m) => m.memberId === PRINCIPALS[actor]?.sub);
    if (membership && key && p.members[key].active)
      expectedGroups.set(p.groupIds[name], membership.privilege === 'admin');
  }
  // The workflow rows' group has the Billing Team's members.
  const workflowGroupId = workflowGroupIds.get(p.practiceId);
  const inWorkflowGroup = p.groups.billing.members.find(
    (m) => m.memberId === PRINCIPALS[actor]?.sub,
  );
  if (workflowGroupId && inWorkflowGroup && key && p.members[key].active)
    expectedGroups.set(workflowGroupId, inWorkflowGroup.privilege === 'admin');
  // Cara holds the care-team thread of her patient: the care-team group is hers to open.
  if (actor === 'careTeam') expectedGroups.set(M.groupIds.care, false);
  const seeded = new Set([
    ...Object.values(M.groupIds),
    ...Object.values(O.groupIds),
    ...workflowGroupIds.values(),
  ]);
  for (const g of groups) {
    if (seeded.has(g.groupId)) {
      if (!expectedGroups.has(g.groupId)) found.leaks.push(`lists group ${g.groupId}`);
      else if (expectedGroups.get(g.groupId) !== g.admin)
        found.wrong.push(`Admin tag ${g.admin} on ${g.groupId}`);
    } else if (actor !== 'groupAdmin' && actor !== 'otherPracticeGroupAdmin') {
      // The matrix's own groups have mbr_gadmin as their one member.
      found.leaks.push(`lists group ${g.groupId}`);
    }
  }
  for (const id of expectedGroups.keys())
    if (!groups.some((g) => g.groupId === id)) found.wrong.push(`misses group ${id}`);
  return found;
}

/** One thread, opened: the one asked for, with the Admin tag and timeline only for those who have them. */
function threadCheck(key: ThreadKey) {
  return (actor: Actor, answer: Answer): Findings => {
    const found = none();
    if (PRINCIPALS[actor]?.actor === 'patient') {
      const t = answer.json as MailboxThread;
      if (t.threadId !== threads[key].threadId) found.wrong.push(`answered ${t.threadId}`);
      return found;
    }
    const t = answer.json as MemberThread;
    if (t.threadId !== threads[key].threadId) found.wrong.push(`answered ${t.threadId}`);
    const admin = ADMIN_OF[key].includes(actor);
    if (t.admin !== admin) found.wrong.push(`admin ${t.admin}`);
    const seesTimeline = admin || key === 'direct';
    if ((t.timeline !== null) !== seesTimeline)
      found.leaks.push(`timeline ${t.timeline === null ? 'missing' : 'shown'} to ${actor}`);
    return found;
  };
}

const feedCheck = (_actor: Actor, answer: Answer): Findings =>
  answer.contentType.startsWith('text/event-stream')
    ? none()
    : { leaks: [], wrong: [`content type ${answer.contentType}`] };

/** The read model's routes, read-only but for read markers; `rebuild` adds the operations. */
const inboxReadEndpoints = (): Endpoint[] => {
  const base: Pick<Endpoint, 'service' | 'method'> = {
    service: 'inbox-projection',
    method: 'GET',
  };
  const groupList = (
    label: string,
    p: SeededPractice,
    group: string,
    query: string,
    allowed: Partial<Statuses>,
    shows: ThreadKey[],
    users: Actor[],
  ): Endpoint => ({
    ...base,
    name: `GET /inbox/groups/:groupId/threads${query ? `?${query.replace(/=PHIMARK[^&]*/, '=<subject>')}` : ''} (${label})`,
    owner: 'groupAdmin',
    path: () => `/inbox/groups/${p.groupIds[group]}/threads?limit=100${query ? `&${query}` : ''}`,
    statuses: expected('member', 404, allowed),
    check: listCheck(shows, { users }),
  });
  const billingUsers: Actor[] = ['groupUser', 'assignee'];
  const billing = { groupAdmin: 200, groupUser: 200, assignee: 200 };
  const memberThread = (key: ThreadKey, label: string): Endpoint => ({
    ...base,
    name: `GET /inbox/threads/:threadId (${label})`,
    owner: SEES[key][0],
    path: () => `/inbox/threads/${threads[key].threadId}`,
    statuses: expected('member', 404, Object.fromEntries(SEES[key].map((a) => [a, 200]))),
    check: threadCheck(key),
  });
  const mailboxThread = (key: ThreadKey, label: string): Endpoint => ({
    ...base,
    name: `GET /mailbox/threads/:threadId (${label})`,
    owner: WRITER[key],
    path: () => `/mailbox/threads/${threads[key].threadId}`,
    statuses: expected('patient', 404, { [WRITER[key]]: 200 }),
    check: threadCheck(key),
  });
  const names = (): Partial<Record<ThreadKey, string>> => ({
    group: M.groups.billing.name,
    care: M.groups.care.name,
    direct: M.name,
    foreign: O.groups.billing.name,
  });
  return [
    {
      ...base,
      name: 'GET /inbox/groups',
      owner: 'groupAdmin',
      path: () => '/inbox/groups',
      statuses: expected('member', 200, {}),
      check: groupsCheck,
    },
    groupList('Billing', M, 'billing', '', billing, ['group'], billingUsers),
    groupList('Billing, Replied', M, 'billing', 'filter=replied', billing, ['group'], billingUsers),
    groupList('Billing, Trash', M, 'billing', 'filter=trash', billing, [], billingUsers),
    {
      ...groupList('Billing, searched', M, 'billing', '', billing, ['group'], billingUsers),
      name: 'GET /inbox/groups/:groupId/threads?q=<subject> (Billing, searched by subject)',
      path: () =>
        `/inbox/groups/${M.groupIds.billing}/threads?q=${encodeURIComponent(threads.group.subject)}`,
    },
    {
      // The care-team thread's subject, searched in Billing: search stays within the list.
      ...groupList('Billing, another group', M, 'billing', '', billing, [], billingUsers),
      name: "GET /inbox/groups/:groupId/threads?q=<care thread's subject> (Billing)",
      path: () =>
        `/inbox/groups/${M.groupIds.billing}/threads?q=${encodeURIComponent(threads.care.subject)}`,
    },
    groupList(
      'care-team group: its Admin, and the care team with threads in it',
      M,
      'care',
      'q=Ada',
      { groupAdmin: 200, careTeam: 200 },
      ['care'],
      [],
    ),
    groupList(
      "the other practice's Billing",
      O,
      'billing',
      '',
      { otherPracticeGroupAdmin: 200, otherPracticeAdmin: 200 },
      ['foreign'],
      ['otherPracticeAdmin'],
    ),
    {
      ...base,
      name: 'GET /inbox/direct',
      owner: 'careTeam',
      path: () => '/inbox/direct?limit=100',
      statuses: expected('member', 200, {}),
      check: listCheck(['direct']),
    },
    memberThread('group', 'group thread, assigned to a User'),
    memberThread('care', 'care-team group thread'),
    memberThread('direct', 'direct message to a member'),
    memberThread('foreign', "the other practice's thread"),
    {
      ...base,
      name: 'GET /mailbox',
      owner: 'patient',
      path: () => '/mailbox?limit=100',
      statuses: expected('patient', 200, {}),
      check: listCheck(['group', 'care', 'direct', 'foreign'], { names: names() }),
    },
    {
      ...base,
      name: 'GET /mailbox?box=sent',
      owner: 'patient',
      path: () => '/mailbox?box=sent&limit=100',
      statuses: expected('patient', 200, {}),
      check: listCheck(['group', 'care', 'direct', 'foreign'], { names: names() }),
    },
    {
      ...base,
      name: 'GET /mailbox?box=unread&q=Billing (search by group name)',
      owner: 'patient',
      path: () => '/mailbox?box=unread&q=Billing&limit=100',
      statuses: expected('patient', 200, {}),
      // Unread depends on what the patient opened already: only leaks are certain.
      check: listCheck(['group', 'foreign'], { names: names(), complete: false }),
    },
    {
      ...base,
      name: 'GET /mailbox?q=Billing (Inbox, search by group name)',
      owner: 'patient',
      path: () => '/mailbox?q=Billing&limit=100',
      statuses: expected('patient', 200, {}),
      check: listCheck(['group', 'foreign'], { names: names() }),
    },
    mailboxThread('group', 'group thread'),
    mailboxThread('care', 'care-team group thread'),
    mailboxThread('direct', 'direct message to a member'),
    mailboxThread('foreign', "the other practice's thread, same patient id"),
    {
      ...base,
      name: 'GET /inbox/events (the live feed)',
      owner: 'groupAdmin',
      path: () => '/inbox/events',
      feed: true,
      // Members and patients both have a feed: the owner's token made a patient's is still one.
      // A deactivated member gets no feed (ADR 0006), as on every other route: 403 member-inactive.
      statuses: {
        ...expected('member', 200, { inactiveAdmin: 403 }),
        ...Object.fromEntries(PATIENTS.map((a) => [a, 200])),
        wrongActorType: 200,
      },
      codes: { inactiveAdmin: 'member-inactive', system: 'actor-not-allowed' },
      check: feedCheck,
    },
    // Progress reports (ADR 0024): a group's Admins and Practice Access holders; practice-wide, those only.
    {
      ...base,
      name: 'GET /reports/groups/:groupId/progress (Billing)',
      owner: 'groupAdmin',
      path: () => `/reports/groups/${M.groupIds.billing}/progress`,
      statuses: expected('member', 403, {
        groupAdmin: 200,
        practiceAdmin: 200,
        // Their practice has no such group, and they may read every group's.
        otherPracticeAdmin: 404,
      }),
      codes: {
        groupUser: 'group-report-not-allowed',
        assignee: 'group-report-not-allowed',
        careTeam: 'group-report-not-allowed',
        nonMember: 'group-report-not-allowed',
        inactiveAdmin: 'group-report-not-allowed',
        otherPracticeGroupAdmin: 'group-report-not-allowed',
        otherPracticeAdmin: 'group-not-found',
        patient: 'actor-not-allowed',
        system: 'actor-not-allowed',
      },
    },
    {
      ...base,
      name: 'GET /reports/practice/progress?format=csv',
      owner: 'practiceAdmin',
      path: () => '/reports/practice/progress?format=csv',
      statuses: expected('member', 403, { practiceAdmin: 200, otherPracticeAdmin: 200 }),
      codes: {
        groupAdmin: 'practice-report-not-allowed',
        inactiveAdmin: 'practice-report-not-allowed',
        patient: 'actor-not-allowed',
      },
      check: (_actor, answer) =>
        answer.contentType.startsWith('text/csv')
          ? none()
          : { leaks: [], wrong: [`content type ${answer.contentType}`] },
    },
  ];
};

/**
 * Platform operations: the operator's system client only (ADR 0019). A
 * practice's own system token (its EHR feed) is 403 operator-only, members
 * and patients 403 actor-not-allowed.
 */
const OPERATOR_ONLY_CODES: Partial<Record<Actor, string>> = {
  system: 'operator-only',
  otherPracticeSystem: 'operator-only',
  practiceAdmin: 'actor-not-allowed',
  patient: 'actor-not-allowed',
};
const inboxOperationEndpoints = (): Endpoint[] => [
  {
    name: 'POST /admin/rebuild',
    service: 'inbox-projection',
    method: 'POST',
    owner: 'operator',
    path: () => '/admin/rebuild',
    statuses: expected('system', 403, { operator: 202 }),
    codes: OPERATOR_ONLY_CODES,
  },
  {
    name: 'GET /admin/rebuild',
    service: 'inbox-projection',
    method: 'GET',
    owner: 'operator',
    path: () => '/admin/rebuild',
    statuses: expected('system', 403, { operator: 200 }),
    codes: OPERATOR_ONLY_CODES,
  },
];

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
const order = (endpoint: Endpoint): Actor[] => {
  const sorted = [...ACTORS].sort(
    (a, b) => Number(endpoint.statuses[a] < 300) - Number(endpoint.statuses[b] < 300),
  );
  const first = endpoint.first;
  return first ? [first, ...sorted.filter((a) => a !== first)] : sorted;
};

/** A feed's answer: its status and headers (a 2xx is closed at once), or the whole refusal. */
async function feedAnswer(url: string, authorization: string | undefined): Promise<Answer> {
  const feed = await openFeed(url, authorization);
  feed.close();
  return feed.answer;
}

async function runEndpoint(endpoint: Endpoint): Promise<string[]> {
  const failures: string[] = [];
  for (const actor of order(endpoint)) {
    const expectedStatus = endpoint.statuses[actor];
    const path = await endpoint.path(actor);
    const body = endpoint.body?.(actor);
    const url = `${w.urls[endpoint.service]}${path}`;
    const auth = await authorization(actor, endpoint);
    const answer = endpoint.feed
      ? await feedAnswer(url, auth)
      : await call(endpoint.method, url, { authorization: auth, body });
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
    const code = endpoint.codes?.[actor];
    if (code && answer.status >= 400 && codeOf(answer) !== code) {
      problems.push(`answered ${codeOf(answer)}, not ${code}`);
    }
    const leaked = leaks(endpoint, actor, path + JSON.stringify(body ?? null), answer);
    if (answer.status < 300 && endpoint.check && answer.status === expectedStatus) {
      const found = endpoint.check(actor, answer);
      leaked.push(...found.leaks);
      problems.push(...found.wrong);
    }
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

/** The access trail: members holding audit.read only, none of the actors here (their 200s: access-audit.system-spec.ts). */
const auditEndpoints = (): Endpoint[] => [
  {
    name: 'GET /access-records',
    service: 'access-audit',
    method: 'GET',
    owner: 'practiceAdmin',
    path: () => '/access-records',
    statuses: expected('member', 403, {}),
  },
  {
    name: 'GET /access-records?threadId= (a thread of this practice)',
    service: 'access-audit',
    method: 'GET',
    owner: 'groupAdmin',
    path: () => `/access-records?threadId=${threads.group.threadId}`,
    statuses: expected('member', 403, {}),
  },
  {
    name: 'GET /access-records?outcome=refused (the refusals of this practice)',
    service: 'access-audit',
    method: 'GET',
    owner: 'practiceAdmin',
    path: () => '/access-records?outcome=refused',
    statuses: expected('member', 403, {}),
  },
];

/**
 * `GET /metrics` of every service: open to every caller, a broken token too
 * (Prometheus scrapes without credentials; the network policy limits who can
 * reach it), and, like every answer here, searched for ids and names.
 */
const metricsEndpoints = (): Endpoint[] =>
  SERVICE_NAMES.map((service) => ({
    name: `GET /metrics (${service})`,
    service,
    method: 'GET' as const,
    owner: 'system' as const,
    path: () => '/metrics',
    statuses: Object.fromEntries(ACTORS.map((actor) => [actor, 200])) as Statuses,
  }));

const SECTIONS: [string, () => Endpoint[]][] = [
  ['practice-directory', directoryEndpoints],
  ['group-config', groupConfigEndpoints],
  ['phr-preferences', phrEndpoints],
  ['messaging-intake', intakeEndpoints],
  ['routing-assignment', routingEndpoints],
  ['access-audit', auditEndpoints],
  ['metrics (every service)', metricsEndpoints],
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

  describe('inbox-projection', () => {
    const run = (endpoint: Endpoint) =>
      it(`${endpoint.name}: ${ACTORS.length} actors`, async () => {
        expect(await runEndpoint(endpoint)).toEqual([]);
      }, 60_000);

    beforeAll(async () => {
      // The read model follows routing through Kafka: wait until it has every row above.
      for (const key of THREAD_KEYS) {
        const reader = PRINCIPALS[SEES[key][0]]!;
        const { version } = await routed(w, reader.practiceId, reader.sub, threads[key].threadId);
        for (const actor of SEES[key]) {
          const { practiceId, sub } = PRINCIPALS[actor]!;
          const token = await w.tokens.member(practiceId, sub);
          const url = `${w.urls['inbox-projection']}/inbox/threads/${threads[key].threadId}`;
          await answered(
            () => call('GET', `${url}?after=${version}`, { token }),
            (a) => a.status === 200 && (a.json as MemberThread).version >= version,
            `the ${key} thread at version ${version} in ${actor}'s inbox`,
          );
        }
      }
    }, 90_000);

    for (const endpoint of inboxReadEndpoints()) run(endpoint);
    for (const endpoint of inboxOperationEndpoints()) run(endpoint);

    it('after the rebuild, the new generation answers every read row alike', async () => {
      const token = await w.tokens.for(PRINCIPALS.operator!);
      const status = await eventually(
        () => call('GET', `${w.urls['inbox-projection']}/admin/rebuild`, { token }),
        (a) => ['done', 'failed'].includes((a.json as { state?: string } | undefined)?.state ?? ''),
        'the rebuild to finish',
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect((status.json as { state: string }).state).toBe('done');
      const failures: string[] = [];
      for (const endpoint of inboxReadEndpoints()) {
        failures.push(...(await runEndpoint(endpoint)).map((f) => `${endpoint.name}: ${f}`));
      }
      expect(failures).toEqual([]);
    }, 120_000);
  });

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
    // Inbox lists: a thread the actor may not open, a User's thread assigned to another.
    const inbox = inboxReadEndpoints();
    const billing = inbox.find((e) => e.name === 'GET /inbox/groups/:groupId/threads (Billing)')!;
    const listing = (ids: { threadId: string; assigneeMemberId: string | null }[]) =>
      planted(200, { threads: ids, nextCursor: null });
    expect(
      billing.check!(
        'groupUser',
        listing([{ threadId: threads.group.threadId, assigneeMemberId: 'mbr_assignee' }]),
      ).leaks,
    ).toHaveLength(2);
    expect(
      billing.check!(
        'groupAdmin',
        listing([{ threadId: threads.group.threadId, assigneeMemberId: 'mbr_assignee' }]),
      ),
    ).toEqual({ leaks: [], wrong: [] });
    expect(billing.check!('groupAdmin', listing([])).wrong).toHaveLength(1);
    const mailbox = inbox.find((e) => e.name === 'GET /mailbox')!;
    expect(
      mailbox.check!(
        'otherPatient',
        planted(200, {
          threads: [{ threadId: threads.care.threadId, groupName: M.groups.care.name }],
        }),
      ).leaks,
    ).toHaveLength(1);
    const groupsRow = inbox.find((e) => e.name === 'GET /inbox/groups')!;
    expect(
      groupsRow.check!(
        'groupUser',
        planted(200, {
          groups: [{ groupId: M.groupIds.lab, admin: false }],
          direct: {},
        }),
      ),
    ).toEqual({
      leaks: [`lists group ${M.groupIds.lab}`],
      wrong: [M.groupIds.billing, workflowGroupIds.get(M.practiceId)]
        .filter(Boolean)
        .map((id) => `misses group ${id}`),
    });
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

    it('workflows changed only by the rows that were allowed: one change each, as sent', async () => {
      for (const p of [M, O]) {
        const answer = await call(
          'GET',
          `${w.urls['group-config']}/message-groups/${await workflowGroup(p)}/workflow`,
          { token: await w.tokens.member(p.practiceId, p.settingsAdmin) },
        );
        expect(answer.status).toBe(200);
        // Two allowed rows each: the first stored version 1, the second sent the same (no change).
        // WORKFLOW leaves assignment out: stored as by hand.
        expect(answer.json).toEqual({
          ...WORKFLOW,
          assignment: { mode: 'off', capacity: null },
          version: 1,
          changedAt: expect.any(String),
        });
      }
    });

    it('quick replies changed only by the rows that were allowed: one change each, as sent', async () => {
      for (const p of [M, O]) {
        const groupId = await workflowGroup(p);
        const answer = await call(
          'GET',
          `${w.urls['group-config']}/message-groups/${groupId}/quick-replies`,
          { token: await w.tokens.member(p.practiceId, p.settingsAdmin) },
        );
        expect(answer.status).toBe(200);
        // Two allowed rows each: the first stored version 1, the second sent the same (no change).
        expect(answer.json).toEqual({
          groupId,
          version: 1,
          quickReplies: QUICK_REPLIES.quickReplies.map((q) => ({
            quickReplyId: expect.stringMatching(/^qr_/),
            ...q,
          })),
        });
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
  describe('the live feed', () => {
    it("a change reaches its own practice's member and patient, as {threadId, kind} only; the same ids in the other practice hear nothing", async () => {
      const url = `${w.urls['inbox-projection']}/inbox/events`;
      const open = async (actor: Actor) =>
        openFeed(url, `Bearer ${await w.tokens.for(PRINCIPALS[actor]!)}`);
      // The same ids in both practices: mbr_gadmin, pat_a.
      const feeds: Record<string, Feed> = {};
      for (const actor of [
        'groupAdmin',
        'patient',
        'otherPracticeGroupAdmin',
        'otherPracticePatient',
        'groupUser',
      ] as Actor[]) {
        feeds[actor] = await open(actor);
        expect(feeds[actor].answer.status).toBe(200);
      }
      try {
        const threadId = threads.group.threadId;
        const about = (actor: Actor) =>
          feeds[actor].events.filter(
            (e) => (e.data as { threadId?: unknown }).threadId === threadId,
          );
        // The patient follows up on the group thread (it has replies): its Admin and the
        // patient are told; the other practice's mbr_gadmin and pat_a, and Gwen, are not.
        const followUp = await call(
          'POST',
          `${w.urls['messaging-intake']}/threads/${threadId}/messages`,
          {
            token: await w.tokens.for(PRINCIPALS.patient!),
            body: { body: 'A follow-up the feeds announce' },
          },
        );
        expect(followUp.status).toBe(202);
        await waitFor(
          async () => about('groupAdmin').length > 0 && about('patient').length > 0,
          Boolean,
          {
            description: 'the follow-up on the feeds of its Admin and its patient',
            timeoutMs: 20_000,
          },
        );
        expect({
          otherPracticeGroupAdmin: about('otherPracticeGroupAdmin'),
          otherPracticePatient: about('otherPracticePatient'),
          groupUser: about('groupUser'),
        }).toEqual({ otherPracticeGroupAdmin: [], otherPracticePatient: [], groupUser: [] });
        const shapes = Object.values(feeds).flatMap((f) =>
          f.events
            .filter((e) => e.type !== 'keep-alive')
            .map((e) =>
              Object.keys(e.data as object)
                .sort()
                .join(),
            ),
        );
        expect([...new Set(shapes)]).toEqual(['kind,threadId']);
      } finally {
        for (const feed of Object.values(feeds)) feed.close();
      }
    }, 60_000);
  });
});
