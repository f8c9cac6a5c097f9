import type { DynamicModule, INestApplication } from '@nestjs/common';
import { ConfigError, type InfrastructureConfig, type ServiceDescription } from '@gm/service-kit';
import request from 'supertest';
import { startServiceForTest, testEnvironment } from './service-app.js';

interface ServiceUnderTest<C extends InfrastructureConfig> {
  description: ServiceDescription;
  loadConfig: (env: Record<string, string | undefined>) => C;
  appModule: (config: C) => DynamicModule;
}

/**
 * The conventions every service keeps (ARCHITECTURE.md, HTTP conventions),
 * checked against the service's real module and the real servers.
 */
export function describeServiceConventions<C extends InfrastructureConfig>(
  service: ServiceUnderTest<C>,
): void {
  describe(`${service.description.title}: service conventions`, () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await startServiceForTest(
        service.appModule,
        service.loadConfig(testEnvironment({ HTTP_BODY_LIMIT: '16kb' })),
        service.description,
      );
    });

    afterAll(async () => {
      await app?.close();
    });

    it('is ready when MongoDB, Kafka and Redis answer', async () => {
      const response = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(response.body.info).toMatchObject({
        mongodb: { status: 'up' },
        kafka: { status: 'up' },
        redis: { status: 'up' },
      });
    });

    it('serves its OpenAPI document', async () => {
      const response = await request(app.getHttpServer()).get('/docs/openapi.json').expect(200);
      expect(response.body.openapi).toMatch(/^3\./);
      expect(response.body.info.title).toBe(service.description.title);
    });

    it('answers an unknown route with problem+json', async () => {
      const response = await request(app.getHttpServer()).get('/no-such-route').expect(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 404, code: 'not-found' });
    });

    it('answers malformed JSON with a 400 problem+json', async () => {
      const response = await request(app.getHttpServer())
        .post('/no-such-route')
        .set('content-type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe('malformed-body');
    });

    it.each([
      ['NUL in a string', '{"name":"a\\u0000b"}', 422, 'invalid-text'],
      ['a lone surrogate', '{"name":"a\\ud800b"}', 422, 'invalid-text'],
      ['a __proto__ key', '{"__proto__":{"admin":true}}', 422, 'validation-failed'],
      [
        'JSON nested 5,000 deep',
        `{"name":${'['.repeat(5000)}1${']'.repeat(5000)}}`,
        400,
        'body-too-deep',
      ],
      [
        'bytes that are not UTF-8',
        Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]),
        400,
        'malformed-body',
      ],
    ])('refuses a body with %s before any route sees it', async (_label, raw, status, code) => {
      const response = await request(app.getHttpServer())
        .post('/no-such-route')
        .set('content-type', 'application/json')
        // As sent: superagent would otherwise serialize a Buffer as JSON.
        .serialize((body: string | Buffer) => body as string)
        .send(raw)
        .expect(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe(code);
    });

    it.each(['%00', '%ff', '%ED%A0%80'])('refuses %s in the URL with 400', async (escape) => {
      const response = await request(app.getHttpServer())
        .get(`/no-such-route/${escape}?q=${escape}`)
        .expect(400);
      expect(response.body.code).toBe('malformed-url');
    });

    it('refuses a body over the size limit with 413 problem+json', async () => {
      const response = await request(app.getHttpServer())
        .post('/no-such-route')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ filler: 'x'.repeat(200 * 1024) }))
        .expect(413);
      expect(response.body.code).toBe('payload-too-large');
    });

    it('sends security headers', async () => {
      const response = await request(app.getHttpServer()).get('/health/live').expect(200);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('refuses to start on bad configuration, naming each bad variable', () => {
      const start = () =>
        service.loadConfig({ PORT: 'eighty', KAFKA_BROKERS: 'no-port', MONGODB_URI: 'http://x' });
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(/PORT[\s\S]*MONGODB_URI[\s\S]*KAFKA_BROKERS/);
    });
  });
}
