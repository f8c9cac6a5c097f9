/**
 * Seeds a practice through the services' public HTTP APIs only, the way the
 * EHR feed and a practice admin would:
 *
 *   1. practice-directory  POST /directory/import        (system token)
 *   2. group-config        POST /message-groups          (the settings admin)
 *   3. phr-preferences     PUT  /phr-preferences         (the settings admin)
 *   4. messaging-intake    GET  /recipients, per patient: the To list is what
 *                          the settings say.
 *
 * Each step carries the Consistency-Tokens of the steps before it (http.ts),
 * so each service answers once it has learned them from Kafka (ADR 0018):
 * nothing is retried, and any answer but the expected one is a failure.
 */
import {
  directoryBundle,
  expectedToList,
  type PracticeFixture,
  type SeededPractice,
} from './fixtures.js';
import { call, codeOf, describeAnswer, whenConsistent, type Answer } from './http.js';
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
  /** How long a step may be answered 503 `not-yet-consistent` and tried again; default 30 s. */
  timeoutMs?: number;
}

class SeedFailure extends Error {}

export async function importDirectory(target: SeedTarget, fixture: PracticeFixture) {
  const tokens = new TokenBox(target.secret);
  const token = await tokens.system(fixture.practiceId, fixture.systemId);
  const answer = await whenConsistent(target.timeoutMs, () =>
    call('POST', `${target.urls['practice-directory']}/directory/import`, {
      token,
      body: directoryBundle(fixture),
    }),
  );
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
    const answer = await whenConsistent(target.timeoutMs, () =>
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
  const answer = await whenConsistent(target.timeoutMs, () =>
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
 * Checks that every patient's To list shows what the fixture says (the groups
 * among others: a practice seeded again keeps what a suite added).
 */
export async function checkToLists(
  target: SeedTarget,
  fixture: PracticeFixture,
  groupIds: Record<string, string>,
): Promise<void> {
  const tokens = new TokenBox(target.secret);
  await Promise.all(
    Object.entries(fixture.patients).map(async ([key, patient]) => {
      const expected = expectedToList(fixture, key, groupIds);
      const bearer = await tokens.patient(fixture.practiceId, patient.id);
      const answer = await whenConsistent(target.timeoutMs, () =>
        call('GET', `${target.urls['messaging-intake']}/recipients`, { token: bearer }),
      );
      const seen = answer.status === 200 ? toListIds(answer) : undefined;
      if (
        !seen ||
        !expected.groups.every((id) => seen.groups.includes(id)) ||
        JSON.stringify(seen.members) !== JSON.stringify(expected.members)
      ) {
        throw new SeedFailure(
          `the To list of ${patient.id} in ${fixture.practiceId} is not ${JSON.stringify(expected)}: ${describeAnswer(answer)} ${answer.text}`,
        );
      }
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
  await checkToLists(target, fixture, groupIds);
  return { ...fixture, groupIds };
}
