#!/usr/bin/env node
// Layering checker, independent of ESLint and dependency-free (node:fs, node:path).
// Resolves every static import/export-from, side-effect import, `import x =
// require()` and literal dynamic import() in every .ts file under libs/*/src
// and services/*/src, and enforces:
//   (a) a file under a domain/ folder imports only relative files that are
//       themselves under a domain/ folder (no packages, no node built-ins);
//   (b) services/A never resolves into services/B nor imports @gm/B;
//   (c) libs/ never resolves into services/ nor imports a service package;
//   (d) libs/contracts imports no other @gm/* package (nor another lib by a
//       relative path), @nestjs/*, mongoose, mongodb, kafkajs or ioredis.
// Usage: node tools/check-layers.mjs [rootDir]   (exit 1 on violations)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CONTRACTS_FORBIDDEN = new Set(['mongoose', 'mongodb', 'kafkajs', 'ioredis']);
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/** @typedef {{ file: string, line: number, specifier: string, rule: 'domain' | 'service-isolation' | 'lib-no-service' | 'contracts-deps', message: string }} Violation */

/**
 * @param {string} rootDir repository root (contains libs/ and services/)
 * @returns {Violation[]} sorted by file, then line
 */
export function checkLayers(rootDir) {
  return scanLayers(rootDir).violations;
}

/**
 * @param {string} rootDir
 * @returns {{ files: number, violations: Violation[] }}
 */
export function scanLayers(rootDir) {
  const root = path.resolve(rootDir);
  const packages = readPackages(root);
  const files = [];
  for (const kind of ['libs', 'services']) {
    for (const pkg of listDirs(path.join(root, kind))) {
      collectTs(path.join(root, kind, pkg, 'src'), files);
    }
  }

  /** @type {Violation[]} */
  const violations = [];
  for (const abs of files) {
    const rel = toPosix(path.relative(root, abs));
    const [kind, pkgDir] = rel.split('/');
    const inDomain = isDomain(rel);
    const isContracts = kind === 'libs' && pkgDir === 'contracts';
    const source = fs.readFileSync(abs, 'utf8');

    for (const { specifier, line } of findImports(source)) {
      const report = (rule, message) =>
        violations.push({ file: rel, line, specifier, rule, message });
      const target = resolveSpecifier(root, abs, specifier, packages);

      // (a) domain/ is plain TypeScript.
      if (inDomain) {
        if (target.type !== 'relative') {
          report(
            'domain',
            `domain/ is plain TypeScript: '${specifier}' is not a relative import of another domain/ file`,
          );
        } else if (!isDomain(target.rel)) {
          report(
            'domain',
            `domain/ imports only domain/ files: '${specifier}' resolves to ${target.rel}`,
          );
        }
      }

      // (b) services/A never reaches services/B.
      if (kind === 'services') {
        const other =
          target.type === 'relative'
            ? target.rel.startsWith('services/') && target.rel.split('/')[1]
            : target.type === 'workspace' && target.kind === 'services' && target.dir;
        if (other && other !== pkgDir) {
          report(
            'service-isolation',
            `services/${pkgDir} must not import services/${other} ('${specifier}'); share through @gm/contracts events`,
          );
        }
      }

      // (c) libs/ never reaches services/.
      if (kind === 'libs') {
        const toService =
          (target.type === 'relative' && target.rel.startsWith('services/')) ||
          (target.type === 'workspace' && target.kind === 'services');
        if (toService) {
          report('lib-no-service', `libs/${pkgDir} must not import a service ('${specifier}')`);
        }
      }

      // (d) libs/contracts depends on nothing but ajv, ajv-formats and yaml.
      if (isContracts) {
        const otherLib =
          (target.type === 'workspace' && target.name !== '@gm/contracts') ||
          (target.type === 'package' && target.name.startsWith('@gm/')) ||
          (target.type === 'relative' &&
            target.rel.startsWith('libs/') &&
            !target.rel.startsWith('libs/contracts/'));
        const infra =
          target.type === 'package' &&
          (target.name.startsWith('@nestjs/') || CONTRACTS_FORBIDDEN.has(target.name));
        if (otherLib || infra) {
          report(
            'contracts-deps',
            `libs/contracts must depend on nothing but ajv, ajv-formats and yaml ('${specifier}')`,
          );
        }
      }
    }
  }
  violations.sort((x, y) => (x.file === y.file ? x.line - y.line : x.file < y.file ? -1 : 1));
  return { files: files.length, violations };
}

// --- Workspace packages ------------------------------------------------------

/** name -> { kind: 'libs' | 'services', dir } (name falls back to @gm/<dir>). */
function readPackages(root) {
  const packages = new Map();
  for (const kind of ['libs', 'services']) {
    for (const dir of listDirs(path.join(root, kind))) {
      let name = `@gm/${dir}`;
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, kind, dir, 'package.json'), 'utf8'));
        if (typeof pkg.name === 'string') name = pkg.name;
      } catch {
        // no (readable) package.json: keep the conventional name
      }
      packages.set(name, { kind, dir });
    }
  }
  return packages;
}

function listDirs(dir) {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function collectTs(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) collectTs(abs, out);
    } else if (e.isFile() && /\.(ts|mts|cts|tsx)$/.test(e.name)) {
      out.push(abs);
    }
  }
}

// --- Resolution --------------------------------------------------------------

const toPosix = (p) => p.split(path.sep).join('/');
const isDomain = (rel) => `/${rel}`.includes('/domain/');

/**
 * relative -> { type: 'relative', rel } (rel: root-relative posix path of the
 *             file it resolves to, or of the lexical path if nothing exists);
 * @gm/x     -> { type: 'workspace', name, kind, dir };
 * other    -> { type: 'package', name } (node:x / built-ins included).
 */
function resolveSpecifier(root, fromFile, specifier, packages) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const base = path.resolve(path.dirname(fromFile), specifier);
    const resolved = resolveFile(base) ?? base;
    return { type: 'relative', rel: toPosix(path.relative(root, resolved)) };
  }
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const ws = packages.get(name);
  if (ws) return { type: 'workspace', name, kind: ws.kind, dir: ws.dir };
  return { type: 'package', name };
}

/** NodeNext-style: `./x.js` is written for `./x.ts`; also extensionless and index files. */
function resolveFile(base) {
  const candidates = [base];
  const ext = path.extname(base);
  const swaps = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };
  if (swaps[ext]) {
    for (const e of swaps[ext]) candidates.push(base.slice(0, -ext.length) + e);
  }
  for (const e of ['.ts', '.tsx', '.mts', '.cts', '.d.ts']) candidates.push(base + e);
  for (const e of ['index.ts', 'index.tsx']) candidates.push(path.join(base, e));
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

// --- Import extraction -------------------------------------------------------

/**
 * Every module specifier with its 1-based line. Comments and the contents of
 * strings/templates are masked first, so `import` inside them is not matched.
 * @returns {{ specifier: string, line: number }[]}
 */
export function findImports(source) {
  const masked = mask(source);
  const found = [];
  const patterns = [
    // import x from '…' | import { a, type B } from '…' | import * as n from '…'
    // export { a } from '…' | export * from '…' | export type { T } from '…'
    /(?<![\w$.])(?:import|export)(?![\w$])[\w$\s{},*]*?(?<![\w$])from\s*(['"])/g,
    // import '…'
    /(?<![\w$.])import\s*(['"])/g,
    // import('…') / import(`…`) without substitutions
    /(?<![\w$.])import\s*\(\s*(['"`])/g,
    // import x = require('…')
    /(?<![\w$.])import\s+(?:type\s+)?[\w$]+\s*=\s*require\s*\(\s*(['"])/g,
  ];
  for (const re of patterns) {
    for (const m of masked.matchAll(re)) {
      const open = m.index + m[0].length; // first character after the opening quote
      const close = masked.indexOf(m[1], open);
      if (close < 0) continue;
      const specifier = source.slice(open, close);
      if (m[1] === '`' && specifier.includes('${')) continue; // not static
      found.push({ specifier, line: lineOf(source, open), index: open });
    }
  }
  const seen = new Set();
  return found
    .sort((a, b) => a.index - b.index)
    .filter((f) => !seen.has(f.index) && seen.add(f.index))
    .map(({ specifier, line }) => ({ specifier, line }));
}

function lineOf(source, index) {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Same length as `source`, newlines kept: comments become spaces, string,
 * template and regex literal bodies become `_` (delimiters kept).
 */
function mask(source) {
  const out = source.split('');
  const n = source.length;
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  const fill = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = '_';
  };
  // A `/` starts a regex literal unless the previous token ends an expression.
  let prevSignificant = '';
  let prevWord = '';
  const regexAllowed = () =>
    prevSignificant === '' ||
    /[(,=:[!&|?{};+\-*%<>~^]/.test(prevSignificant) ||
    /^(return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/.test(
      prevWord,
    );
  // Brace depth per open template substitution `${`.
  const templateStack = [];
  let braceDepth = 0;

  const scanTemplate = (start) => {
    // start: index just after '`' or after '}' closing a substitution
    let i = start;
    while (i < n) {
      const c = source[i];
      if (c === '\\') {
        i += 2;
      } else if (c === '`') {
        fill(start, i);
        return { end: i + 1, substitution: false };
      } else if (c === '$' && source[i + 1] === '{') {
        fill(start, i);
        return { end: i + 2, substitution: true };
      } else {
        i++;
      }
    }
    fill(start, n);
    return { end: n, substitution: false };
  };

  let i = 0;
  while (i < n) {
    const c = source[i];
    const d = source[i + 1];
    if (c === '/' && d === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && d === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      fill(i + 1, Math.min(j, n));
      i = j + 1;
      prevSignificant = c;
      prevWord = '';
    } else if (c === '`') {
      const r = scanTemplate(i + 1);
      if (r.substitution) {
        templateStack.push(braceDepth);
        braceDepth = 0;
      }
      i = r.end;
      prevSignificant = r.substitution ? '{' : '`';
      prevWord = '';
    } else if (c === '}' && templateStack.length > 0 && braceDepth === 0) {
      braceDepth = templateStack.pop();
      const r = scanTemplate(i + 1);
      if (r.substitution) {
        templateStack.push(braceDepth);
        braceDepth = 0;
      }
      i = r.end;
      prevSignificant = r.substitution ? '{' : '`';
      prevWord = '';
    } else if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== '\n') {
        const x = source[j];
        if (x === '\\') j++;
        else if (x === '[') inClass = true;
        else if (x === ']') inClass = false;
        else if (x === '/' && !inClass) break;
        j++;
      }
      fill(i + 1, Math.min(j, n));
      i = j + 1;
      while (i < n && /[a-z]/i.test(source[i])) i++; // flags
      prevSignificant = '/';
      prevWord = '';
    } else if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(source[j])) j++;
      prevWord = source.slice(i, j);
      prevSignificant = source[j - 1];
      i = j;
    } else {
      if (c === '{') braceDepth++;
      else if (c === '}') braceDepth--;
      if (!/\s/.test(c)) {
        prevSignificant = c;
        prevWord = '';
      }
      i++;
    }
  }
  return out.join('');
}

// --- CLI ---------------------------------------------------------------------

function main() {
  const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
  const { files, violations } = scanLayers(root);
  for (const v of violations) console.log(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.log(`layers: ${files} files checked, ${violations.length} violations`);
    process.exit(1);
  }
  console.log(`layers: ${files} files checked, 0 violations`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main();
}
