import type { DynamicModule, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureHttp, type InfrastructureConfig, type ServiceDescription } from '@gm/service-kit';
import { testInfrastructure, uniqueName } from './test-infrastructure.js';

/** The HS256 secret services under test verify tokens with; tests mint theirs with it. */
export const TEST_JWT_SECRET = 'integration-tests-only-0123456789abcdef';

/**
 * Environment for a service under test: the real local servers, a database
 * of the test's own and silent logs.
 */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const infra = testInfrastructure();
  return {
    MONGODB_URI: infra.mongoUri,
    MONGODB_DATABASE: uniqueName('it'),
    // A fresh consumer group reads the compacted topics from the start into the fresh database.
    KAFKA_CONSUMER_GROUP: uniqueName('it-group'),
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    LOG_LEVEL: 'silent',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    ...overrides,
  };
}

/** Starts a service's real module in-process with the production HTTP conventions. */
export async function startServiceForTest<C extends InfrastructureConfig>(
  appModule: (config: C) => DynamicModule,
  config: C,
  description: ServiceDescription,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [appModule(config)] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  configureHttp(app, config, description);
  await app.init();
  return app;
}
