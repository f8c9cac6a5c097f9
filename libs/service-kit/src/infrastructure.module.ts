import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import {
  createKafka,
  RedisDocumentLocks,
  type DocumentLocks,
  type Logger as PlumbingLogger,
} from '@gm/messaging';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import type { InfrastructureConfig } from './config.js';
import { ConsistencyInterceptor, ConsistencyReads } from './consistency.js';
import { HealthController } from './health.controller.js';
import { loggingParams } from './logging.js';
import { stopTracing } from './telemetry.js';
import { DOCUMENT_LOCKS, INFRASTRUCTURE_CONFIG, KAFKA, PLUMBING_LOGGER, REDIS } from './tokens.js';

/** Sends the spans still buffered when the service stops. */
@Injectable()
class TracingCloser implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}

/** Closes the Redis client last, after consumers and relays have stopped. */
@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The clients every service needs (MongoDB through mongoose, Kafka, Redis),
 * structured logging and health endpoints, configured from one validated
 * InfrastructureConfig.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(config: InfrastructureConfig): DynamicModule {
    return {
      module: InfrastructureModule,
      imports: [
        LoggerModule.forRoot(loggingParams(config.serviceName, config.logLevel)),
        MongooseModule.forRoot(config.mongoUri, {
          dbName: config.mongoDatabase,
          serverSelectionTimeoutMS: 5000,
          // FerretDB has no sessions-based retryable writes; writes here are idempotent instead.
          retryWrites: false,
        }),
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: INFRASTRUCTURE_CONFIG, useValue: config },
        {
          provide: PLUMBING_LOGGER,
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger): PlumbingLogger => {
            logger.setContext('messaging');
            return {
              debug: (fields, message) => logger.debug(fields, message),
              info: (fields, message) => logger.info(fields, message),
              warn: (fields, message) => logger.warn(fields, message),
              error: (fields, message) => logger.error(fields, message),
            };
          },
        },
        {
          provide: KAFKA,
          inject: [PLUMBING_LOGGER],
          useFactory: (logger: PlumbingLogger): Kafka =>
            createKafka({ brokers: config.kafkaBrokers, clientId: config.serviceName }, logger),
        },
        {
          provide: REDIS,
          useFactory: (): Redis =>
            new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableOfflineQueue: true }),
        },
        {
          provide: DOCUMENT_LOCKS,
          inject: [REDIS],
          useFactory: (redis: Redis): DocumentLocks => new RedisDocumentLocks(redis),
        },
        RedisCloser,
        TracingCloser,
        ConsistencyReads,
        { provide: APP_INTERCEPTOR, useClass: ConsistencyInterceptor },
      ],
      exports: [
        ConsistencyReads,
        INFRASTRUCTURE_CONFIG,
        PLUMBING_LOGGER,
        KAFKA,
        REDIS,
        DOCUMENT_LOCKS,
        MongooseModule,
      ],
    };
  }
}
