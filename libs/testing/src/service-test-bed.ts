import type { EventDefinition, EventEnvelope } from '@gm/contracts';
import { createKafka, silentLogger } from '@gm/messaging';
import type { InfrastructureConfig, ServiceDescription } from '@gm/service-kit';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { DirectoryFeed } from './directory-feed.js';
import { EventsOnTopic } from './events-on-topic.js';
import { publishEvent, type PublishOptions } from './publish-event.js';
import { startServiceForTest, testEnvironment } from './service-app.js';
import { SettingsFeed } from './settings-feed.js';
import { testInfrastructure } from './test-infrastructure.js';
import { waitFor, type WaitOptions } from './wait-for.js';

export interface TestedService<C extends InfrastructureConfig> {
  appModule: (config: C) => DynamicModule;
  loadConfig: (env: Record<string, string | undefined>) => C;
  description: ServiceDescription;
}

/**
 * What a service's integration spec sets up around its real module: a Kafka
 * producer to play the other services (directory and settings feeds, any
 * event), the service started in-process on a database and consumer group
 * of its own, observers of the topics it writes, and one `stop` for all.
 */
export class ServiceTestBed<C extends InfrastructureConfig> {
  readonly kafka: Kafka;
  readonly producer: Producer;
  private readonly apps: INestApplication[] = [];
  private readonly observers: EventsOnTopic[] = [];
  private readonly directoryFeeds = new Map<string, DirectoryFeed>();
  private readonly settingsFeeds = new Map<string, SettingsFeed>();

  constructor(
    private readonly service: TestedService<C>,
    clientId: string,
  ) {
    this.kafka = createKafka(
      { brokers: testInfrastructure().kafkaBrokers, clientId },
      silentLogger,
    );
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** The practice's directory, as practice-directory publishes it (one feed per practice). */
  directory(practiceId: string): DirectoryFeed {
    return cached(
      this.directoryFeeds,
      practiceId,
      () => new DirectoryFeed(this.producer, practiceId),
    );
  }

  /** The practice's groups and PHR preferences, as group-config and phr-preferences publish them. */
  settings(practiceId: string): SettingsFeed {
    return cached(
      this.settingsFeeds,
      practiceId,
      () => new SettingsFeed(this.producer, practiceId),
    );
  }

  /** Publishes any event as its owner would. */
  publish<T>(
    definition: EventDefinition<T>,
    data: T,
    options: PublishOptions,
  ): Promise<EventEnvelope<T>> {
    return publishEvent(this.producer, definition, data, options);
  }

  /** Starts the service's real module with `testEnvironment(env)`; `stop` closes it. */
  async start(env: Record<string, string> = {}): Promise<INestApplication> {
    const { appModule, loadConfig, description } = this.service;
    const app = await startServiceForTest(appModule, loadConfig(testEnvironment(env)), description);
    this.apps.push(app);
    return app;
  }

  /** Keeps every event of the practice on the topic from the beginning; `stop` stops it. */
  async observe(topic: string, practiceId: string): Promise<EventsOnTopic> {
    const observer = await new EventsOnTopic(this.kafka, topic, practiceId).start();
    this.observers.push(observer);
    return observer;
  }

  /**
   * Waits until every fact the tests rely on has reached the service's
   * replicas (their topics are consumed independently): `facts` gives one
   * promise a fact, null (or false) while it has not arrived.
   */
  async untilReplicated(facts: () => Promise<unknown>[], options: WaitOptions = {}): Promise<void> {
    await waitFor(
      () => Promise.all(facts()),
      (found) => found.every((fact) => fact !== null && fact !== false),
      { timeoutMs: 60000, description: 'the replicas to catch up', ...options },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.observers.map((observer) => observer.stop()));
    await Promise.all(this.apps.map((app) => app.close()));
    await this.producer.disconnect();
  }
}

function cached<T>(map: Map<string, T>, key: string, create: () => T): T {
  if (!map.has(key)) map.set(key, create());
  return map.get(key)!;
}
