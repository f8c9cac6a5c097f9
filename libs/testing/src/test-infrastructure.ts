import { randomUUID } from 'node:crypto';

/** Addresses of the real servers, as the Jest global setup left them in the environment. */
export function testInfrastructure() {
  return {
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    mongoUri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/** A name no other test run uses: tests never share databases, topics or groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}
