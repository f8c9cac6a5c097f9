import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { documentHttpConventions, methodGuard } from './openapi.js';
import { ProblemException } from './problem.js';

const documentOf = (): OpenAPIObject =>
  ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/groups/{groupId}': {
        get: {
          security: [{ bearer: [] }],
          parameters: [{ name: 'groupId', in: 'path' }],
          responses: { '200': { description: 'ok' } },
        },
        put: {
          security: [{ bearer: [] }],
          requestBody: { content: {} },
          responses: { '200': { description: 'ok' }, '409': { description: 'group-name-taken' } },
        },
      },
      '/health/live': { get: { responses: { '200': { description: 'ok' } } } },
    },
  }) as unknown as OpenAPIObject;

describe('documentHttpConventions', () => {
  const document = documentOf();
  documentHttpConventions(document);
  const operation = (path: string, method: string) =>
    (
      document.paths[path] as Record<
        string,
        {
          parameters?: unknown[];
          responses: Record<string, { headers?: object; content?: object }>;
        }
      >
    )[method]!;

  it('adds the Consistency-Token parameter, and the token a write answers', () => {
    expect(operation('/groups/{groupId}', 'get').parameters).toContainEqual({
      $ref: '#/components/parameters/ConsistencyToken',
    });
    expect(operation('/groups/{groupId}', 'put').responses['200']!.headers).toHaveProperty(
      'Consistency-Token',
    );
    expect(operation('/groups/{groupId}', 'get').responses['200']!.headers).toBeUndefined();
  });

  it('documents every error a route may answer as problem+json, by what it takes', () => {
    expect(Object.keys(operation('/groups/{groupId}', 'get').responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '422',
      '503',
    ]);
    expect(Object.keys(operation('/groups/{groupId}', 'put').responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '422',
      '503',
    ]);
    expect(operation('/groups/{groupId}', 'put').responses['409']!.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(operation('/groups/{groupId}', 'put').responses['503']!.headers).toHaveProperty(
      'Retry-After',
    );
  });

  it('leaves public routes (health) as they are', () => {
    expect(Object.keys(operation('/health/live', 'get').responses)).toEqual(['200']);
  });
});

describe('methodGuard', () => {
  const guard = methodGuard(documentOf());
  const call = (method: string, path: string) => {
    const headers: Record<string, string> = {};
    let passed: unknown = 'not called';
    guard(
      { method, path } as Request,
      { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response,
      ((error?: unknown) => (passed = error)) as NextFunction,
    );
    return { passed, headers };
  };

  it('lets the methods of a path through, HEAD with GET, OPTIONS always, and unknown paths', () => {
    for (const [method, path] of [
      ['GET', '/groups/g1'],
      ['PUT', '/groups/g1/'],
      ['HEAD', '/groups/g1'],
      ['OPTIONS', '/health/live'],
      ['TRACE', '/nothing/here'],
    ]) {
      expect(call(method!, path!).passed).toBeUndefined();
    }
  });

  it('answers 405 with Allow for a method the path does not take', () => {
    const { passed, headers } = call('TRACE', '/groups/g1');
    expect(passed).toBeInstanceOf(ProblemException);
    expect((passed as ProblemException).getStatus()).toBe(405);
    expect(headers.Allow).toBe('GET, PUT, HEAD, OPTIONS');
    expect((call('DELETE', '/health/live').passed as ProblemException).code).toBe(
      'method-not-allowed',
    );
  });
});
