/**
 * The OpenAPI documents are exact: Schemathesis, run as a new client would
 * (`schemathesis run --checks all`), generates requests from each service's
 * own document and finds no server error, no undocumented status, no
 * response off its schema, no schema-valid request refused, no invalid one
 * accepted, and 405 for methods a path does not take. It runs in a practice
 * of its own, since it writes whatever the documents allow; a Jest project
 * of its own (`npm run test:openapi`), a CI step after `npm test`.
 * `system-tests/schemathesis.toml` says which answers count as right.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { mainPracticeFixture } from './harness/fixtures.js';
import { consistencyHeader } from './harness/http.js';
import type { ServiceName } from './harness/layout.js';
import { ensureSchemathesis, schemathesisRun } from './harness/schemathesis.js';
import { seedPractice } from './harness/seed.js';
import { summarize, world } from './harness/world.js';

const w = world();
const fixture = mainPracticeFixture(`prc_st_openapi_${w.run.runId}`, 'Openapi');
/** Examples per operation; a fixed seed, so that CI is reproducible (SCHEMATHESIS_SEED varies it). */
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES) || 25;
const SEED = Number(process.env.SCHEMATHESIS_SEED) || 20261202;

/** Who calls each service: the actor its routes are for. */
const CALLERS: Record<ServiceName, () => Promise<string>> = {
  'practice-directory': () => w.tokens.system(fixture.practiceId, fixture.systemId),
  'group-config': () => w.tokens.member(fixture.practiceId, fixture.settingsAdmin),
  'phr-preferences': () => w.tokens.member(fixture.practiceId, fixture.settingsAdmin),
  'messaging-intake': () => w.tokens.patient(fixture.practiceId, 'pat_a'),
  'routing-assignment': () => w.tokens.member(fixture.practiceId, 'mbr_gadmin'),
  'inbox-projection': () => w.tokens.member(fixture.practiceId, 'mbr_gadmin'),
  'access-audit': () => w.tokens.member(fixture.practiceId, 'mbr_auditor'),
};

let bin: string;

beforeAll(async () => {
  [bin] = await Promise.all([
    ensureSchemathesis(),
    seedPractice({ urls: w.urls, secret: w.run.secret }, fixture),
  ]);
}, 600_000);

describe('OpenAPI documents, checked by Schemathesis', () => {
  for (const service of Object.keys(CALLERS) as ServiceName[]) {
    it(`${service}: schemathesis run --checks all finds nothing`, async () => {
      const started = Date.now();
      const result = await schemathesisRun(bin, {
        openApiUrl: `${w.urls[service]}/docs/openapi.json`,
        bearer: await CALLERS[service](),
        consistencyToken: consistencyHeader(fixture.practiceId)!.split(',').at(-1)!,
        maxExamples: MAX_EXAMPLES,
        seed: SEED,
      });
      const log = path.join(w.run.runDir, `schemathesis-${service}.log`);
      writeFileSync(log, result.output);
      const summary = result.output.slice(result.output.lastIndexOf('SUMMARY'));
      summarize(
        w,
        `schemathesis ${service}: exit ${result.exitCode} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${MAX_EXAMPLES} examples per operation, seed ${SEED} (${path.relative(process.cwd(), log)})`,
      );
      expect(`exit ${result.exitCode}\n${summary}`).toMatch(/^exit 0\n/);
    }, 600_000);
  }
});
