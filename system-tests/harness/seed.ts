/**
 * Seeds a practice through the services' public HTTP APIs only, the way the
 * EHR feed and a practice admin would:
 *
 *   1. practice-directory  POST /directory/import        (system token)
 *   2. group-config        POST /message-groups          (the settings admin)
 *   3. phr-preferences     PUT  /phr-preferences         (the settings admin)
 *   4. messaging-intake    GET  /recipients, per patient, until the To list
 *                          is what the settings say: every replica it needs
 *                          (directory, groups, preferences) has caught up.
 *
 * group-config and phr-preferences learn the directory from Kafka: until then
 * they answer 402 (plan), 403 privilege-required (role) or 422 unknown-*;
 * those answers are retried (bounded), anything else is a failure.
 */
import {
  directoryBundle,
  expectedToList,
  type PracticeFixture,
  type SeededPractice,
} from './fixtures.js';
import { call, codeOf, describeAnswer, eventually, sleep, type Answer } from './http.js';
import type { ServiceName } from './layout.js';
import { TokenBox } from './tokens.js';

/** The services seeding goes through (the fault worlds run without the access audit). */
type SeedingService = Extract<
  ServiceName,
  'practice-directory' | 'group-config' | 'phr-preferences' | 'messaging-intake'
>;

export interface SeedTarget {
  urls: Record<SeedingService, string>;
  secret: string;
  /** Bound of every wait for a replica; default 30 s. */
  timeoutMs?: number;
}

class SeedFailure extends Error {}

const NOT_YET: Record<number, string[] | true> = {
  402: true,
  403: ['privilege-required'],
  422: ['unknown-member', 'unknown-facility', 'unknown-patient-category'],
};

function notYet(answer: Answer): boolean {
  const codes = NOT_YET[answer.status];
  return codes === true || (Array.isArray(codes) && codes.includes(codeOf(answer) ?? ''));
}

async function whenReplicated(
  target: SeedTarget,
  what: string,
  attempt: () => Promise<Answer>,
): Promise<Answer> {
  const deadline = Date.now() + (target.timeoutMs ?? 30_000);
  for (;;) {
    const answer = await attempt();
    if (!notYet(answer)) return answer;
    if (Date.now() >= deadline) {
      throw new SeedFailure(
        `${what}: the service's directory replica never caught up; last ${describeAnswer(answer)}: ${answer.text}`,
      );
    }
    await sleep(150);
  }
}

export async function importDirectory(target: SeedTarget, fixture: PracticeFixture) {
  const tokens = new TokenBox(target.secret);
  const answer = await call('POST', `${target.urls['practice-directory']}/directory/import`, {
    token: await tokens.system(fixture.practiceId, fixture.systemId),
    body: directoryBundle(fixture),
  });
  if (answer.status !== 200) {
    throw new SeedFailure(
      `import of ${fixture.practiceId}: ${describeAnswer(answer)} ${answer.text}`,
    );
  }
}

export async function createGroups(
  target: SeedTarget,
  fixture: PracticeFixture,
): Promise<Record<string, string>> {
  const tokens = new TokenBox(target.secret);
  const admin = await tokens.member(fixture.practiceId, fixture.settingsAdmin);
  const url = `${target.urls['group-config']}/message-groups`;
  const groupIds: Record<string, string> = {};
  for (const [key, group] of Object.entries(fixture.groups)) {
    const answer = await whenReplicated(target, `group "${group.name}"`, () =>
      call('POST', url, { token: admin, body: group }),
    );
    if (answer.status === 201) {
      groupIds[key] = (answer.json as { groupId: string }).groupId;
    } else if (answer.status === 409 && codeOf(answer) === 'group-name-taken') {
      const list = await call('GET', url, { token: admin });
      const found = (list.json as { groupId: string; name: string }[]).find(
        (g) => g.name === group.name,
      );
      if (!found) throw new SeedFailure(`group "${group.name}" is taken but not listed`);
      groupIds[key] = found.groupId;
    } else {
      throw new SeedFailure(`group "${group.name}": ${describeAnswer(answer)} ${answer.text}`);
    }
  }
  return groupIds;
}

export async function savePhrPreferences(target: SeedTarget, fixture: PracticeFixture) {
  const tokens = new TokenBox(target.secret);
  const admin = await tokens.member(fixture.practiceId, fixture.settingsAdmin);
  const answer = await whenReplicated(target, 'PHR preferences', () =>
    call('PUT', `${target.urls['phr-preferences']}/phr-preferences`, {
      token: admin,
      body: fixture.phr,
    }),
  );
  if (answer.status !== 200) {
    throw new SeedFailure(`PHR preferences: ${describeAnswer(answer)} ${answer.text}`);
  }
}

interface ToList {
  canSend: boolean;
  groups: { groupId: string }[];
  members: { memberId: string }[];
}

export const toListIds = (answer: Answer) => {
  const list = answer.json as ToList;
  return {
    groups: list.groups.map((g) => g.groupId).sort(),
    members: list.members.map((m) => m.memberId).sort(),
  };
};

/**
 * Waits until every patient's To list shows what the fixture says (the groups
 * among others: a practice seeded again keeps what a suite added): intake has
 * caught up with the directory, the groups and the preferences.
 */
export async function waitForToLists(
  target: SeedTarget,
  fixture: PracticeFixture,
  groupIds: Record<string, string>,
): Promise<void> {
  const tokens = new TokenBox(target.secret);
  await Promise.all(
    Object.entries(fixture.patients).map(async ([key, patient]) => {
      const expected = expectedToList(fixture, key, groupIds);
      const bearer = await tokens.patient(fixture.practiceId, patient.id);
      await eventually(
        () => call('GET', `${target.urls['messaging-intake']}/recipients`, { token: bearer }),
        (answer) => {
          if (answer.status !== 200) return false;
          const seen = toListIds(answer);
          return (
            expected.groups.every((id) => seen.groups.includes(id)) &&
            JSON.stringify(seen.members) === JSON.stringify(expected.members)
          );
        },
        `the To list of ${patient.id} in ${fixture.practiceId} to show ${JSON.stringify(expected)}`,
        { timeoutMs: target.timeoutMs ?? 30_000 },
      );
    }),
  );
}

/** Directory, groups, preferences, then the To lists: a practice ready to use. */
export async function seedPractice(
  target: SeedTarget,
  fixture: PracticeFixture,
): Promise<SeededPractice> {
  await importDirectory(target, fixture);
  const groupIds = await createGroups(target, fixture);
  await savePhrPreferences(target, fixture);
  await waitForToLists(target, fixture, groupIds);
  return { ...fixture, groupIds };
}
