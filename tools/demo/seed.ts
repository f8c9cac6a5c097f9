/**
 * Loads the demo practice (prc_demo, "Riverside Family Practice") through the
 * services' public HTTP APIs only, never their databases:
 *
 *   1. practice-directory  POST /directory/import   (system token; idempotent)
 *   2. group-config        POST /message-groups     (mbr_alice; 409 group-name-taken = already there)
 *   3. phr-preferences     GET, then PUT /phr-preferences (mbr_alice; skipped when already equal)
 *   4. group-config        GET, then PUT /message-groups/:id/workflow for Front Office
 *                          (mbr_alice; skipped when already equal)
 *
 *   node --import @swc-node/register/esm-register tools/demo/seed.ts   (npm run demo:seed)
 *
 * group-config and phr-preferences learn the practice, its members and roles
 * from Kafka, asynchronously. Each write answers a Consistency-Token, and
 * the next request carries the tokens so far (ADR 0018): the service answers
 * it once it has applied those writes, so no step retries or sleeps.
 *
 * Environment: PRACTICE_DIRECTORY_URL, GROUP_CONFIG_URL, PHR_PREFERENCES_URL
 * (defaults http://127.0.0.1:3001/3002/3003), AUTH_JWT_SECRET (default: the
 * development secret), AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE.
 */
import { DEVELOPMENT_JWT_SECRET, mintToken, type ActorKind } from '@gm/auth';
import { PRIVILEGES } from '@gm/contracts';

const PRACTICE_ID = 'prc_demo';
const ADMIN = 'mbr_alice';

const urls = {
  directory: baseUrl('PRACTICE_DIRECTORY_URL', 'http://127.0.0.1:3001'),
  groups: baseUrl('GROUP_CONFIG_URL', 'http://127.0.0.1:3002'),
  phr: baseUrl('PHR_PREFERENCES_URL', 'http://127.0.0.1:3003'),
};
/** The Consistency-Tokens of the writes so far; every request carries them (ADR 0018). */
const written: string[] = [];

const BUNDLE = {
  practice: { name: 'Riverside Family Practice', plan: 'paid' },
  facilities: [
    { id: 'fac_downtown', name: 'Downtown Clinic' },
    { id: 'fac_north', name: 'North Clinic' },
  ],
  patientCategories: [
    { id: 'cat_diabetes', name: 'Diabetes Program Patients' },
    { id: 'cat_prenatal', name: 'Prenatal Care Patients' },
  ],
  roles: [
    {
      id: 'role_practice_admin',
      name: 'Practice Admin',
      privileges: [PRIVILEGES.messageGroupsSettings, PRIVILEGES.phrSettings, PRIVILEGES.auditRead],
    },
    { id: 'role_provider', name: 'Provider', privileges: [] },
    { id: 'role_front_desk', name: 'Front Desk', privileges: [] },
  ],
  members: [
    { id: 'mbr_alice', displayName: 'Dr. Alice Moreau', roleId: 'role_practice_admin' },
    { id: 'mbr_bob', displayName: 'Bob Lin', roleId: 'role_front_desk' },
    // Billing and lab staff: no role of their own (no settings privileges).
    { id: 'mbr_carol', displayName: 'Carol Diaz', roleId: null },
    { id: 'mbr_dan', displayName: 'Dr. Dan Okafor', roleId: 'role_provider' },
    { id: 'mbr_erin', displayName: 'Erin Walsh', roleId: null },
    { id: 'mbr_frank', displayName: 'Frank Novak', roleId: null, active: false },
  ],
  patients: [
    {
      id: 'pat_ruth',
      displayName: 'Ruth Baker',
      facilityId: 'fac_downtown',
      categoryIds: ['cat_diabetes'],
      careTeamMemberIds: ['mbr_dan', 'mbr_alice'],
    },
    {
      id: 'pat_sam',
      displayName: 'Sam Patel',
      facilityId: 'fac_north',
      categoryIds: [],
      careTeamMemberIds: ['mbr_dan'],
    },
    {
      id: 'pat_tina',
      displayName: 'Tina Alvarez',
      facilityId: 'fac_downtown',
      categoryIds: ['cat_prenatal'],
      careTeamMemberIds: ['mbr_erin'],
    },
  ],
};

interface GroupSeed {
  name: string;
  description: string;
  facilityId: string | null;
  patientCategoryId: string | null;
  recipientMode: 'specific-members' | 'care-team';
  members: { memberId: string; privilege: 'admin' | 'user' }[];
}

const GROUPS: GroupSeed[] = [
  {
    name: 'Billing Team',
    description: 'Use this group to send your billing-related queries',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [
      { memberId: 'mbr_carol', privilege: 'admin' },
      { memberId: 'mbr_bob', privilege: 'user' },
    ],
  },
  {
    name: 'Front Office',
    description: 'Appointments, forms and general questions',
    facilityId: null,
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [
      { memberId: 'mbr_bob', privilege: 'admin' },
      { memberId: 'mbr_carol', privilege: 'user' },
    ],
  },
  {
    name: 'Lab Services',
    description: 'Lab orders and results at the Downtown Clinic',
    facilityId: 'fac_downtown',
    patientCategoryId: null,
    recipientMode: 'specific-members',
    members: [{ memberId: 'mbr_erin', privilege: 'admin' }],
  },
  {
    name: 'Diabetes Care',
    description: 'Questions for your diabetes care team',
    facilityId: null,
    patientCategoryId: 'cat_diabetes',
    recipientMode: 'care-team',
    members: [{ memberId: 'mbr_alice', privilege: 'admin' }],
  },
];

const PHR_PREFERENCES = {
  allowPatientMessages: true,
  patientMessagePreference: 'groups-and-members',
  memberRecipients: 'all-members',
  excludedMemberIds: ['mbr_carol'],
};

// ---------------------------------------------------------------------------

class SeedFailure extends Error {}

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

const MAX_TOKENS = 16;

function baseUrl(name: string, fallback: string): string {
  return (process.env[name]?.trim() || fallback).replace(/\/+$/, '');
}

function token(actor: ActorKind, sub: string): Promise<string> {
  const secret = process.env.AUTH_JWT_SECRET?.trim() || DEVELOPMENT_JWT_SECRET;
  return mintToken(
    secret,
    { actor, sub, practiceId: PRACTICE_ID },
    {
      expiresIn: '15m',
      issuer: process.env.AUTH_JWT_ISSUER?.trim() || undefined,
      audience: process.env.AUTH_JWT_AUDIENCE?.trim() || undefined,
    },
  );
}

async function call(
  method: string,
  url: string,
  bearer: string,
  body?: unknown,
  ifMatch?: string,
): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        accept: 'application/json, application/problem+json',
        ...(written.length ? { 'consistency-token': written.slice(-MAX_TOKENS).join(',') } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new SeedFailure(
      `${method} ${url}: no answer (${cause}); is the service running? (bash deploy/local/demo.sh up)`,
    );
  }
  const consistency = response.headers.get('consistency-token');
  if (consistency && response.ok) written.push(consistency);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, text };
}

const codeOf = (answer: Answer): string | undefined =>
  (answer.body as { code?: unknown } | null)?.code?.toString();

function unexpected(what: string, answer: Answer): SeedFailure {
  return new SeedFailure(`${what}: HTTP ${answer.status}\n${answer.text}`);
}

const lines: string[] = [];
const report = (service: string, subject: string, outcome: string) =>
  lines.push(`  ${service.padEnd(19)} ${subject.padEnd(22)} ${outcome}`);

async function importDirectory(): Promise<void> {
  const system = await token('system', 'sys_demo_seed');
  const answer = await call('POST', `${urls.directory}/directory/import`, system, BUNDLE);
  if (answer.status !== 200) throw unexpected('practice-directory: import', answer);
  const { written, unchanged } = answer.body as { written: number; unchanged: number };
  report(
    'practice-directory',
    `practice ${PRACTICE_ID}`,
    written
      ? `imported (${written} written, ${unchanged} unchanged)`
      : `unchanged (${unchanged} entries)`,
  );
}

async function createGroups(bearer: string): Promise<void> {
  for (const group of GROUPS) {
    const what = `group-config: create "${group.name}"`;
    const answer = await call('POST', `${urls.groups}/message-groups`, bearer, group);
    if (answer.status === 201) {
      report(
        'group-config',
        group.name,
        `created (${(answer.body as { groupId: string }).groupId})`,
      );
    } else if (answer.status === 409 && codeOf(answer) === 'group-name-taken') {
      report('group-config', group.name, 'unchanged (already exists)');
    } else {
      throw unexpected(what, answer);
    }
  }
}

/**
 * Front Office answers within four business hours (weekdays 08:00–17:00 in
 * New York, closed on public holidays), tells patients who write after hours
 * that the office is closed, gives each new thread to its Users in turn (at
 * most ten open each), and puts a thread back in the queue when its
 * assignee has not answered within two business hours.
 */
const FRONT_OFFICE_WORKFLOW = {
  responseTargetSeconds: 4 * 3600,
  businessHours: {
    timeZone: 'America/New_York',
    weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({
      day,
      opens: '08:00',
      closes: '17:00',
    })),
    closedDates: ['2026-12-25', '2027-01-01'],
  },
  acknowledgement: {
    when: 'outside-business-hours',
    text: 'Our office is closed. We will answer when we open; for emergencies call 911.',
  },
  returnToQueueSeconds: 2 * 3600,
  assignment: { mode: 'round-robin', capacity: 10 },
};

async function saveFrontOfficeWorkflow(bearer: string): Promise<void> {
  const groups = await call('GET', `${urls.groups}/message-groups`, bearer);
  if (groups.status !== 200) throw unexpected('group-config: list groups', groups);
  const frontOffice = (groups.body as { groupId: string; name: string }[]).find(
    (g) => g.name === 'Front Office',
  );
  if (!frontOffice) throw new SeedFailure('group-config: Front Office is not listed');
  const url = `${urls.groups}/message-groups/${frontOffice.groupId}/workflow`;
  const current = await call('GET', url, bearer);
  if (current.status !== 200) throw unexpected('group-config: read workflow', current);
  const {
    version,
    changedAt: _changedAt,
    ...stored
  } = current.body as Record<string, unknown> & {
    version: number;
  };
  if (sameJson(stored, FRONT_OFFICE_WORKFLOW)) {
    report('group-config', 'Front Office workflow', `unchanged (version ${version})`);
    return;
  }
  const answer = await call('PUT', url, bearer, FRONT_OFFICE_WORKFLOW, `"${version}"`);
  if (answer.status !== 200) throw unexpected('group-config: save workflow', answer);
  report(
    'group-config',
    'Front Office workflow',
    `saved (version ${(answer.body as { version: number }).version})`,
  );
}

async function savePhrPreferences(bearer: string): Promise<void> {
  const url = `${urls.phr}/phr-preferences`;
  const current = await call('GET', url, bearer);
  if (current.status !== 200) throw unexpected('phr-preferences: read', current);
  const { version, ...stored } = current.body as Record<string, unknown> & { version: number };
  if (sameJson(stored, PHR_PREFERENCES)) {
    report('phr-preferences', 'preferences', `unchanged (version ${version})`);
    return;
  }
  const answer = await call('PUT', url, bearer, PHR_PREFERENCES);
  if (answer.status !== 200) throw unexpected('phr-preferences: save', answer);
  report(
    'phr-preferences',
    'preferences',
    `saved (version ${(answer.body as { version: number }).version})`,
  );
}

function sameJson(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const canonical = (value: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(value)
        .sort()
        .map((key) => [key, value[key]]),
    );
  return canonical(a) === canonical(b);
}

function printSummary(seconds: string): void {
  const mint = (actor: string, sub: string) =>
    `npm run --silent token -- --actor ${actor} --sub ${sub} --practice ${PRACTICE_ID}`;
  process.stdout.write(
    [
      '',
      `Demo practice ${PRACTICE_ID} "${BUNDLE.practice.name}" is loaded (${seconds} s):`,
      ...lines,
      '',
      'Tokens (8 h; see tools/demo/README.md for every actor):',
      `  TOKEN=$(${mint('member', ADMIN)})`,
      `  PATIENT=$(${mint('patient', 'pat_ruth')})`,
      '',
      'Try:',
      `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.groups}/message-groups`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.phr}/phr-preferences`,
      '',
    ].join('\n'),
  );
}

const started = Date.now();
try {
  await importDirectory();
  const alice = await token('member', ADMIN);
  await createGroups(alice);
  await savePhrPreferences(alice);
  await saveFrontOfficeWorkflow(alice);
  printSummary(((Date.now() - started) / 1000).toFixed(1));
} catch (error) {
  const message = error instanceof SeedFailure ? error.message : (error as Error).stack;
  process.stderr.write(`demo seed failed: ${message}\n`);
  process.exitCode = 1;
}
