/**
 * Jest globalTeardown of the `system` project: `cli.ts down` stops the run's
 * services (SIGTERM, SIGKILL after 10 s), drops its databases, consumer
 * groups and dead-letter topics, and prints the suites' summaries and timings.
 */
import { spawnSync } from 'node:child_process';

export default function systemGlobalTeardown(_globalConfig: unknown, project: { rootDir: string }) {
  if (process.env.SYSTEM_TESTS_REUSE) return;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = spawnSync(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'system-tests/harness/cli.ts', 'down'],
    { cwd: project.rootDir, stdio: 'inherit', env },
  );
  if (result.status !== 0) throw new Error('system-tests: the harness could not stop the run');
}
