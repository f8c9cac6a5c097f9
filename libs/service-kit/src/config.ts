/**
 * Configuration read once at start from the environment. Every problem is
 * collected and reported together, naming each bad variable, and the
 * service refuses to start (fail fast, ADR 0002).
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export class ConfigReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  optionalString(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  url(name: string, protocols: string[], fallback?: string): string {
    const value = this.string(name, fallback);
    if (!value) return value;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
    } catch {
      this.problems.push(`${name} must be a URL, got "${value}"`);
    }
    return value;
  }

  /** Comma-separated `host:port` list. */
  hostPorts(name: string, fallback?: string): string[] {
    const raw = this.string(name, fallback);
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    for (const item of items) {
      if (!/^[\w.-]+:\d{1,5}$/.test(item))
        this.problems.push(`${name} entry "${item}" is not host:port`);
    }
    if (raw && !items.length) this.problems.push(`${name} is empty`);
    return items;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if (!values.includes(raw as T)) {
      this.problems.push(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  }

  /** Records a problem found by a reader outside this class (e.g. two variables that exclude each other). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one ConfigError naming every bad variable. */
  done(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }
}

/** What every service needs to reach its infrastructure. */
export interface InfrastructureConfig {
  serviceName: string;
  port: number;
  mongoUri: string;
  mongoDatabase: string;
  kafkaBrokers: string[];
  /** Consumer group of this service's event consumer; one per deployment, shared by its replicas. */
  kafkaConsumerGroup: string;
  kafkaReplicationFactor: number;
  kafkaMinInsyncReplicas: number | undefined;
  /**
   * How long the group coordinator waits for a silent consumer before giving
   * its partitions to others. A replica that crashed holds its partitions
   * that long, and its replacement's join waits for it too.
   */
  kafkaSessionTimeoutMs: number;
  /**
   * How many of its partitions a consumer works on at once. Each partition
   * stays in order (a thread's events are one key, one partition); the rest
   * overlap their database round trips, as separate replicas would.
   */
  kafkaPartitionsConcurrency: number;
  redisUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimit: string;
  corsOrigins: string[];
  /**
   * How many proxies in front of the service to trust for the client's
   * address (X-Forwarded-For): the access audit records "from where", which
   * behind an ingress is otherwise the ingress. 0 trusts no header.
   */
  trustedProxyHops: number;
  /** Read-your-writes across services (ADR 0018). */
  consistency: {
    /** Signs consistency tokens; the same in every service of a deployment. */
    secret: string;
    /** How long a request carrying tokens waits for them before 503 `not-yet-consistent`. */
    waitMs: number;
  };
}

/** Shortest CONSISTENCY_TOKEN_SECRET accepted (256 bits of ASCII). */
export const MIN_CONSISTENCY_SECRET_LENGTH = 32;

export function readInfrastructureConfig(
  reader: ConfigReader,
  defaults: { serviceName: string; port: number; database: string; bodyLimit?: string },
): InfrastructureConfig {
  const minInsync = reader.int('KAFKA_MIN_INSYNC_REPLICAS', 0, { min: 0, max: 5 });
  return {
    serviceName: defaults.serviceName,
    port: reader.int('PORT', defaults.port, { min: 1, max: 65535 }),
    mongoUri: reader.url('MONGODB_URI', ['mongodb:', 'mongodb+srv:'], 'mongodb://127.0.0.1:27017'),
    mongoDatabase: reader.string('MONGODB_DATABASE', defaults.database),
    kafkaBrokers: reader.hostPorts('KAFKA_BROKERS', '127.0.0.1:9092'),
    kafkaConsumerGroup: reader.string('KAFKA_CONSUMER_GROUP', defaults.serviceName),
    kafkaReplicationFactor: reader.int('KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 5 }),
    kafkaMinInsyncReplicas: minInsync || undefined,
    // The broker refuses less than its group.min.session.timeout.ms (6 s by default).
    kafkaSessionTimeoutMs: reader.int('KAFKA_SESSION_TIMEOUT_MS', 30_000, {
      min: 6000,
      max: 300_000,
    }),
    kafkaPartitionsConcurrency: reader.int('KAFKA_PARTITIONS_CONCURRENCY', 3, { min: 1, max: 64 }),
    redisUrl: reader.url('REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    logLevel: reader.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    bodyLimit: reader.string('HTTP_BODY_LIMIT', defaults.bodyLimit ?? '64kb'),
    corsOrigins: (reader.optionalString('CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustedProxyHops: reader.int('HTTP_TRUSTED_PROXY_HOPS', 0, { min: 0, max: 10 }),
    consistency: {
      // Empty when unset: readServiceConfig derives it from the HS256 secret, or asks for it.
      secret: consistencySecret(reader),
      waitMs: reader.int('CONSISTENCY_WAIT_MS', 10_000, { min: 0, max: 60_000 }),
    },
  };
}

function consistencySecret(reader: ConfigReader): string {
  const secret = reader.optionalString('CONSISTENCY_TOKEN_SECRET') ?? '';
  if (secret && secret.length < MIN_CONSISTENCY_SECRET_LENGTH) {
    reader.problem(
      `CONSISTENCY_TOKEN_SECRET must be at least ${MIN_CONSISTENCY_SECRET_LENGTH} characters`,
    );
  }
  return secret;
}
