/**
 * Jest globalSetup of the `faults` project: runs prepare.ts (shared stack
 * up, services built) in its own Node process, because Jest's loading of
 * global hooks cannot follow the TypeScript ESM imports. The worlds
 * themselves (own Kafka, own FerretDB, six services) are started by each
 * spec file, which must kill and restart their processes.
 */
import { spawnSync } from 'node:child_process';

export default function faultsGlobalSetup(_globalConfig: unknown, project: { rootDir: string }) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  process.stderr.write('\n');
  const result = spawnSync(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'system-tests/faults/prepare.ts'],
    { cwd: project.rootDir, stdio: 'inherit', env },
  );
  if (result.status !== 0) throw new Error('faults: could not prepare the run (see above)');
}
