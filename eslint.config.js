// ESLint flat config. Layering is enforced twice: here (no-restricted-imports,
// fast editor feedback) and by tools/check-layers.mjs, which resolves every
// import (including dynamic ones) and is the authoritative check in CI.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const SERVICES = [
  'practice-directory',
  'group-config',
  'phr-preferences',
  'messaging-intake',
  'routing-assignment',
  'inbox-projection',
];

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.child.ts'];

// Only what the repository's plain JS files (configs, tools) actually touch.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
    'structuredClone',
    'fetch',
    'AbortController',
    'TextEncoder',
    'TextDecoder',
  ].map((name) => [name, 'readonly']),
);

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// --- Layering patterns (no-restricted-imports `patterns` entries) -----------

const DOMAIN_MESSAGE = 'domain/ is plain TypeScript: no frameworks, drivers or infrastructure';
const domainPatterns = [
  {
    group: [
      '@nestjs/*',
      'mongoose',
      'mongoose/*',
      'mongodb',
      'mongodb/*',
      'kafkajs',
      'kafkajs/*',
      'ioredis',
      'ioredis/*',
      'redis',
      'redis/*',
      'express',
      'express/*',
      '@gm/*',
    ],
    message: DOMAIN_MESSAGE,
  },
];

const servicePackages = (names) => names.flatMap((s) => [`@gm/${s}`, `@gm/${s}/*`]);

const libPatterns = [
  {
    group: servicePackages(SERVICES),
    message: 'libs/ must not depend on services.',
  },
  {
    regex: '^\\.{1,2}/(.*/)?services(/|$)',
    message: 'libs/ must not depend on services.',
  },
];

const contractsPatterns = [
  {
    group: [
      '@nestjs/*',
      'mongoose',
      'mongoose/*',
      'mongodb',
      'mongodb/*',
      'kafkajs',
      'kafkajs/*',
      'ioredis',
      'ioredis/*',
      '@gm/*',
      '!@gm/contracts',
    ],
    message: 'libs/contracts depends on nothing but ajv, ajv-formats and yaml.',
  },
];

const servicePatterns = (svc) => {
  const others = SERVICES.filter((s) => s !== svc);
  const alternation = others.map(escapeRegex).join('|');
  const message = `services/${svc} must not import another service; share through @gm/contracts events.`;
  return [
    { group: servicePackages(others), message },
    // `../<other>/...` (from the services/ folder) or `../../…/services/<other>/...`.
    { regex: `^(\\.\\./)+((.*/)?services/)?(${alternation})(/|$)`, message },
  ];
};

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

// A later config object replaces (does not merge) an earlier object's options
// for the same rule, so each scope gets a block with its own patterns followed
// by a `domain/` block carrying the union. The most specific scope comes last.
const scopes = [
  { files: 'libs', patterns: libPatterns },
  { files: 'libs/contracts', patterns: [...libPatterns, ...contractsPatterns] },
  ...SERVICES.map((svc) => ({ files: `services/${svc}`, patterns: servicePatterns(svc) })),
];

const layering = [
  { name: 'gm/layers/domain', files: ['**/domain/**/*.ts'], rules: restrict(domainPatterns) },
  ...scopes.flatMap(({ files, patterns }) => [
    { name: `gm/layers/${files}`, files: [`${files}/**/*.ts`], rules: restrict(patterns) },
    {
      name: `gm/layers/${files}/domain`,
      files: [`${files}/**/domain/**/*.ts`],
      rules: restrict([...patterns, ...domainPatterns]),
    },
  ]),
];

// --- Config -----------------------------------------------------------------

export default defineConfig(
  {
    name: 'gm/ignores',
    ignores: ['**/dist/**', '**/node_modules/**', '.local/**', '.nx/**', '**/coverage/**'],
  },
  {
    name: 'gm/js',
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: {
      'no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    name: 'gm/ts',
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        // Type information only for no-floating-promises (a dropped promise in
        // a Kafka consumer or outbox relay loses events silently).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    name: 'gm/no-console',
    // Logs go through pino (service-kit's logger).
    files: ['services/**/src/**/*.ts', 'libs/**/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: { 'no-console': 'error' },
  },
  {
    name: 'gm/tests',
    files: TEST_FILES,
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...layering,
);
