import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Express } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { InfrastructureConfig } from './config.js';
import { CONSISTENCY_TOKEN_HEADER, writeContextMiddleware } from './consistency.js';
import { documentHttpConventions, methodGuard } from './openapi.js';
import { ProblemDetailsFilter } from './problem.js';
import { bodyGuard, urlGuard, verifyUtf8 } from './request-guards.js';
import { metricsEndpoint, requestTelemetry } from './request-telemetry.js';
import { startMetrics, startTracing } from './telemetry.js';
import { createValidationPipe } from './validation.js';

export interface ServiceDescription {
  title: string;
  description: string;
  version?: string;
}

/** HTTP conventions shared by every service; also used by e2e tests. */
export function configureHttp(
  app: INestApplication,
  config: InfrastructureConfig,
  description: ServiceDescription,
): void {
  const express = app as NestExpressApplication;
  // First: every request is counted and traced, refused ones too.
  app.use(requestTelemetry);
  // Outside the guards: Prometheus scrapes without credentials; the network
  // policy lets only the monitoring namespace reach it (deploy/k8s).
  (express.getHttpAdapter().getInstance() as Express).get('/metrics', metricsEndpoint);
  // Text is checked where it enters: the URL before routing, the raw bytes
  // while parsing, the parsed body before validation (request-guards.ts).
  app.use(urlGuard);
  // Nest reserves `verify` for `rawBody: true`, which no service uses.
  express.useBodyParser('json', { limit: config.bodyLimit, verify: verifyUtf8 } as {
    limit: string;
  });
  app.use(bodyGuard);
  // After parsing: a write's events must be produced inside its context.
  app.use(writeContextMiddleware);
  // req.ip is the client's address only through the proxies we were told of.
  express.set('trust proxy', config.trustedProxyHops);
  app.use(helmet());
  app.enableCors({
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    exposedHeaders: [CONSISTENCY_TOKEN_HEADER, 'Retry-After', 'ETag'],
  });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(description.title)
      .setDescription(description.description)
      .setVersion(description.version ?? '1.0.0')
      .addBearerAuth()
      .build(),
  );
  documentHttpConventions(document);
  app.use(methodGuard(document));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

/** Starts a service: validated config in, structured logs, listening on its port. */
export async function bootstrapService(
  module: DynamicModule,
  config: InfrastructureConfig,
  description: ServiceDescription,
): Promise<INestApplication> {
  startTracing(config.serviceName);
  startMetrics(config.serviceName);
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, config, description);
  await app.listen(config.port, '0.0.0.0');
  app.get(Logger).log(`${config.serviceName} listening on ${config.port}`);
  return app;
}
