// One test command for the whole repository (ADR 0001 explains the ESM setup):
// `unit` needs no servers; `integration` runs against the real native stack
// (Kafka, FerretDB, Redis), which its global setup reuses or starts; `system`
// builds and starts the seven services as OS processes (ports 4101–4107), seeds
// them through HTTP and walks the product over HTTP only (system-tests/);
// `faults` starts worlds of its own (Kafka, FerretDB, six services) and kills
// their processes under load (system-tests/faults/). `npm test` runs unit and
// integration; system, faults and openapi start worlds of their own and take
// minutes each, so they are CI steps of their own (`npm run test:system`,
// `npm run test:faults`, `npm run test:openapi`; ADR 0014).
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

const common = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@gm/([^/]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

export default {
  // Global only in Jest; integration tests wait on real servers and consumer-group joins.
  testTimeout: 60000,
  // With 2 cores Jest runs in band: a suite that fails half-way through its
  // setup can leave Kafka or Redis clients open, which must not hang CI.
  forceExit: true,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools,deploy}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,system-tests}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/tools/jest/stack-global-setup.js',
    },
    {
      ...common,
      displayName: 'system',
      testMatch: ['<rootDir>/system-tests/**/*.system-spec.ts'],
      globalSetup: '<rootDir>/system-tests/harness/global-setup.ts',
      globalTeardown: '<rootDir>/system-tests/harness/global-teardown.ts',
    },
    {
      // The OpenAPI documents checked by Schemathesis against the system suite's
      // services: minutes of generated requests, so CI runs it as a step of its own.
      ...common,
      displayName: 'openapi',
      testMatch: ['<rootDir>/system-tests/**/*.openapi-spec.ts'],
      globalSetup: '<rootDir>/system-tests/harness/global-setup.ts',
      globalTeardown: '<rootDir>/system-tests/harness/global-teardown.ts',
    },
    {
      // Minutes of kill -9 under load in worlds of their own: a CI step of its own.
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/system-tests/faults/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/system-tests/faults/global-setup.ts',
    },
  ],
};
