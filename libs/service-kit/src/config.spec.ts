import { ConfigError, ConfigReader, readInfrastructureConfig } from './config.js';

const defaults = { serviceName: 'svc', port: 3000, database: 'gm_svc' };

function read(env: Record<string, string>) {
  const reader = new ConfigReader(env);
  const config = readInfrastructureConfig(reader, defaults);
  reader.done();
  return config;
}

describe('infrastructure configuration', () => {
  it('falls back to the local stack when nothing is set', () => {
    expect(read({})).toMatchObject({
      port: 3000,
      mongoUri: 'mongodb://127.0.0.1:27017',
      mongoDatabase: 'gm_svc',
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaReplicationFactor: 1,
      kafkaMinInsyncReplicas: undefined,
      kafkaSessionTimeoutMs: 30000,
      kafkaPartitionsConcurrency: 3,
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'info',
      corsOrigins: [],
      trustedProxyHops: 0,
    });
  });

  it('reads production settings', () => {
    const config = read({
      PORT: '8080',
      KAFKA_BROKERS: 'k1:9092, k2:9092,k3:9092',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_PARTITIONS_CONCURRENCY: '6',
      CORS_ORIGINS: 'https://app.example, https://admin.example',
      LOG_LEVEL: 'warn',
      HTTP_TRUSTED_PROXY_HOPS: '1',
    });
    expect(config).toMatchObject({
      port: 8080,
      kafkaBrokers: ['k1:9092', 'k2:9092', 'k3:9092'],
      kafkaReplicationFactor: 3,
      kafkaMinInsyncReplicas: 2,
      kafkaSessionTimeoutMs: 10000,
      kafkaPartitionsConcurrency: 6,
      corsOrigins: ['https://app.example', 'https://admin.example'],
      logLevel: 'warn',
      trustedProxyHops: 1,
    });
  });

  it('names every bad variable at once', () => {
    let problems: string[] = [];
    try {
      read({ PORT: '70000', REDIS_URL: 'http://redis', LOG_LEVEL: 'loud', KAFKA_BROKERS: ' , ' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringContaining('PORT must be an integer from 1 to 65535'),
      expect.stringContaining('KAFKA_BROKERS is empty'),
      expect.stringContaining('REDIS_URL must use redis: or rediss:'),
      expect.stringContaining('LOG_LEVEL must be one of'),
    ]);
  });
});
