/**
 * Schemathesis (PyPI), pinned, in a virtualenv of the repository's own
 * (`.local/schemathesis`): installed on first use and kept, like the
 * native stack's servers.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './layout.js';

const run = promisify(execFile);

export const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = path.join(REPO_ROOT, '.local', 'schemathesis');
const BIN = path.join(VENV, 'bin', 'schemathesis');
/** Which answers the checks take as right, and why (comments in the file). */
const CONFIG = path.join(REPO_ROOT, 'system-tests', 'schemathesis.toml');

/** The CLI's path, installing the pinned version when it is missing or another. */
export async function ensureSchemathesis(): Promise<string> {
  const installed = existsSync(BIN)
    ? await run(BIN, ['--version']).then(
        ({ stdout }) => stdout.includes(SCHEMATHESIS_VERSION),
        () => false,
      )
    : false;
  if (installed) return BIN;
  await run('python3', ['-m', 'venv', '--clear', VENV]);
  await run(path.join(VENV, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `schemathesis==${SCHEMATHESIS_VERSION}`,
  ]);
  return BIN;
}

export interface SchemathesisRun {
  exitCode: number;
  output: string;
}

/**
 * `schemathesis run --checks all` against one service's OpenAPI document, as
 * the given caller, carrying a token of the practice's writes (a token is
 * not something a generator can make up: ADR 0018).
 */
export async function schemathesisRun(
  bin: string,
  options: {
    openApiUrl: string;
    bearer: string;
    consistencyToken: string;
    maxExamples: number;
    seed: number;
  },
): Promise<SchemathesisRun> {
  const args = [
    '--config-file',
    CONFIG,
    'run',
    options.openApiUrl,
    '--checks',
    'all',
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--no-color',
    '-H',
    `Authorization: Bearer ${options.bearer}`,
    '-H',
    `Consistency-Token: ${options.consistencyToken}`,
  ];
  try {
    const { stdout, stderr } = await run(bin, args, {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      exitCode: typeof failed.code === 'number' ? failed.code : -1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` || String(error),
    };
  }
}
