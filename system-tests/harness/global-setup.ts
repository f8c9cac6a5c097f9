/**
 * Jest globalSetup of the `system` project: runs the harness (`cli.ts up`) in
 * its own Node process, which starts the native stack, builds, starts the seven
 * services on ports 4101–4107, seeds the run's practices and writes
 * `.local/system-tests/current.json` (or SYSTEM_TESTS_RUN_FILE). (The harness is TypeScript with ESM
 * imports, which Jest's CommonJS loading of global hooks cannot follow.)
 *
 * SYSTEM_TESTS_REUSE=1 keeps a run started by hand (`cli.ts up`) instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function systemGlobalSetup(_globalConfig: unknown, project: { rootDir: string }) {
  const root = project.rootDir;
  // As layout.ts names it (not imported: Jest loads global hooks as CommonJS).
  const runFile =
    process.env.SYSTEM_TESTS_RUN_FILE ?? path.join(root, '.local/system-tests/current.json');
  if (process.env.SYSTEM_TESTS_REUSE && existsSync(runFile)) {
    process.stderr.write('\n[system-tests] SYSTEM_TESTS_REUSE: using the running services\n');
    return;
  }
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  process.stderr.write('\n');
  const result = spawnSync(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'system-tests/harness/cli.ts', 'up'],
    { cwd: root, stdio: 'inherit', env },
  );
  if (result.status !== 0) {
    throw new Error('system-tests: the harness could not start the services (see above)');
  }
}
