import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: 'domain' | 'service-isolation' | 'lib-no-service' | 'contracts-deps';
  message: string;
}
interface CheckLayersModule {
  checkLayers(rootDir: string): Violation[];
  scanLayers(rootDir: string): { files: number; violations: Violation[] };
}

// The checker is a dependency-free .mjs (runs with plain `node`); importing it
// through a variable keeps tsc from asking for a declaration file.
const checkerPath = './check-layers.mjs';
const { checkLayers, scanLayers } = (await import(checkerPath)) as CheckLayersModule;

let root: string;

function write(rel: string, content: string): void {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-check-layers-'));
  write('libs/contracts/package.json', JSON.stringify({ name: '@gm/contracts' }));
  write('libs/messaging/package.json', JSON.stringify({ name: '@gm/messaging' }));
  write('services/a/package.json', JSON.stringify({ name: '@gm/a' }));
  write('services/b/package.json', JSON.stringify({ name: '@gm/b' }));

  // domain/: only relative imports of other domain/ files.
  write('services/a/src/domain/nest.ts', "import { Injectable } from '@nestjs/common';\n");
  write(
    'services/a/src/domain/model.ts',
    "// a comment\nimport type { Model } from 'mongoose';\nexport type M = Model<unknown>;\n",
  );
  write('services/a/src/domain/uses-app.ts', "export { x } from '../application/x.js';\n");
  write(
    'services/a/src/domain/clean.ts',
    "import { other } from './other.js';\nexport { other };\n",
  );
  write('services/a/src/domain/other.ts', 'export const other = 1;\n');
  write('services/a/src/application/x.ts', "import { other } from '../domain/other.js';\n");

  // services never reach each other.
  write(
    'services/a/src/x.ts',
    [
      "import { y } from '../../b/src/y.js';",
      "import { Contract } from '@gm/contracts';",
      '',
      "const b = await import('@gm/b');",
    ].join('\n'),
  );
  write('services/b/src/y.ts', "import { Kafka } from 'kafkajs';\nexport const y = 1;\n");

  // libs never reach services; contracts depends on nothing infrastructural.
  write(
    'libs/messaging/src/uses-service.ts',
    "import { y } from '@gm/b';\nimport { Kafka } from 'kafkajs';\n",
  );
  write(
    'libs/contracts/src/codec.ts',
    "import Ajv from 'ajv';\nimport { parse } from 'yaml';\nimport { OutboxRelay } from '@gm/messaging';\n",
  );
  // Not scanned: only libs/*/src and services/*/src are.
  write('services/a/dist/domain/built.ts', "import '@nestjs/common';\n");
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('checkLayers', () => {
  it('reports exactly the layering violations, with file, line and rule', () => {
    const found = checkLayers(root).map(({ file, line, specifier, rule }) => ({
      file,
      line,
      specifier,
      rule,
    }));

    expect(found).toEqual([
      {
        file: 'libs/contracts/src/codec.ts',
        line: 3,
        specifier: '@gm/messaging',
        rule: 'contracts-deps',
      },
      {
        file: 'libs/messaging/src/uses-service.ts',
        line: 1,
        specifier: '@gm/b',
        rule: 'lib-no-service',
      },
      { file: 'services/a/src/domain/model.ts', line: 2, specifier: 'mongoose', rule: 'domain' },
      {
        file: 'services/a/src/domain/nest.ts',
        line: 1,
        specifier: '@nestjs/common',
        rule: 'domain',
      },
      {
        file: 'services/a/src/domain/uses-app.ts',
        line: 1,
        specifier: '../application/x.js',
        rule: 'domain',
      },
      {
        file: 'services/a/src/x.ts',
        line: 1,
        specifier: '../../b/src/y.js',
        rule: 'service-isolation',
      },
      { file: 'services/a/src/x.ts', line: 4, specifier: '@gm/b', rule: 'service-isolation' },
    ]);
  });

  it('names the offending import in a readable message', () => {
    const messages = checkLayers(root).map((v) => v.message);
    expect(messages).toContain(
      "services/a must not import services/b ('../../b/src/y.js'); share through @gm/contracts events",
    );
    expect(messages).toContain(
      "domain/ imports only domain/ files: '../application/x.js' resolves to services/a/src/application/x.ts",
    );
  });

  it('counts every .ts file under libs/*/src and services/*/src', () => {
    expect(scanLayers(root).files).toBe(10);
  });
});
