import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  MongooseHealthIndicator,
} from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { PublicRoute } from './public-route.js';
import { KAFKA, REDIS } from './tokens.js';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS),
    ),
  ]);
}

/** Liveness says the process runs; readiness says MongoDB, Kafka and Redis answer. */
@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly mongo: MongooseHealthIndicator,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: MongoDB, Kafka and Redis answer.' })
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.mongo.pingCheck('mongodb', { timeout: CHECK_TIMEOUT_MS }),
      () => this.checkKafka(),
      () => this.checkRedis(),
    ]);
  }

  private async checkKafka() {
    const session = this.indicators.check('kafka');
    const admin = this.kafka.admin();
    try {
      await withTimeout(admin.connect());
      const cluster = await withTimeout(admin.describeCluster());
      return session.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async checkRedis() {
    const session = this.indicators.check('redis');
    try {
      await withTimeout(this.redis.ping());
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
