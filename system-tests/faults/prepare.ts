/**
 * What a fault run needs before its worlds start, run once by the Jest
 * global setup in its own Node process: the shared stack answering (its
 * PostgreSQL is under the run's FerretDB, its Redis is shared; Kafka's jars
 * and FerretDB's binary are cached by stack.sh) and the services built.
 *
 *   node --import @swc-node/register/esm-register system-tests/faults/prepare.ts
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { childEnv, FAULTS_DIR, REPO_ROOT, SERVICE_NAMES } from './layout.js';

const say = (line: string) => process.stderr.write(`[faults] ${line}\n`);

const started = Date.now();
const { default: ensureStack } = (await import(
  pathToFileURL(path.join(REPO_ROOT, 'tools', 'jest', 'stack-global-setup.js')).href
)) as { default: () => Promise<void> };
await ensureStack();

mkdirSync(FAULTS_DIR, { recursive: true });
const log = path.join(FAULTS_DIR, 'build.log');

function runLogged(command: string, args: string[], cwd: string): boolean {
  const fd = openSync(log, 'a');
  try {
    const env = childEnv({
      PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    });
    return spawnSync(command, args, { cwd, stdio: ['ignore', fd, fd], env }).status === 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * Without Nx: each workspace package's own build command (a per-file swc
 * transpile, so order does not matter). Used when Nx cannot build its
 * project graph, e.g. while a package being added elsewhere in the working
 * tree is half-way done; the six services and their libraries still build.
 */
function buildEachPackage(): boolean {
  let ok = true;
  for (const parent of ['libs', 'services']) {
    for (const name of readdirSync(path.join(REPO_ROOT, parent))) {
      const dir = path.join(REPO_ROOT, parent, name);
      const manifest = path.join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const command = (
        JSON.parse(readFileSync(manifest, 'utf8')) as {
          nx?: { targets?: { build?: { command?: string } } };
        }
      ).nx?.targets?.build?.command;
      if (!command) continue;
      const needed = parent === 'libs' || (SERVICE_NAMES as readonly string[]).includes(name);
      if (!runLogged('bash', ['-c', command], dir) && needed) ok = false;
    }
  }
  return ok;
}

writeFileSync(log, '');
if (!runLogged('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], REPO_ROOT)) {
  say('nx could not build; building each package with its own build command instead');
  if (!buildEachPackage()) {
    say(`build failed:\n${readFileSync(log, 'utf8').split('\n').slice(-40).join('\n')}`);
    process.exit(1);
  }
}
say(`stack answering and services built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
