import { ConfigReader, readInfrastructureConfig, type InfrastructureConfig } from '@gm/service-kit';
import { createHmac } from 'node:crypto';
import { readAuthConfig, type AuthConfig } from './auth-config.js';

/** What every service reads at start: how to reach its infrastructure, and how to verify tokens. */
export interface ServiceConfig extends InfrastructureConfig {
  auth: AuthConfig;
}

/** Who the service is (its `SERVICE` description), and a request body limit when 64 kB does not fit. */
export interface ServiceDefaults {
  name: string;
  port: number;
  database: string;
  bodyLimit?: string;
}

/**
 * Reads a service's configuration: infrastructure (service-kit), auth, then
 * whatever `readOwn` reads from the same reader, and throws one ConfigError
 * naming every bad variable of the three (fail fast, ADR 0002).
 */
export function readServiceConfig<Own extends object = object>(
  env: Record<string, string | undefined>,
  service: ServiceDefaults,
  readOwn?: (reader: ConfigReader) => Own,
): ServiceConfig & Own {
  const reader = new ConfigReader(env);
  const infrastructure = readInfrastructureConfig(reader, {
    serviceName: service.name,
    port: service.port,
    database: service.database,
    bodyLimit: service.bodyLimit,
  });
  const auth = readAuthConfig(reader);
  const consistency = { ...infrastructure.consistency };
  if (!consistency.secret && auth.jwtSecret) {
    // One secret fewer to distribute where services share an HS256 secret; a distinct key all the same.
    consistency.secret = createHmac('sha256', auth.jwtSecret)
      .update(TOKEN_KEY_LABEL)
      .digest('base64url');
  } else if (!consistency.secret && auth.jwksUrl) {
    reader.problem('CONSISTENCY_TOKEN_SECRET is required with AUTH_JWKS_URL');
  }
  const own = readOwn?.(reader) ?? ({} as Own);
  reader.done();
  return { ...infrastructure, consistency, auth, ...own };
}

const TOKEN_KEY_LABEL = 'group-messages consistency tokens';
