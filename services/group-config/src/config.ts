import { readAuthConfig, type AuthConfig } from '@gm/auth';
import { ConfigReader, readInfrastructureConfig, type InfrastructureConfig } from '@gm/service-kit';
import { SERVICE } from './service.js';

export interface ServiceConfig extends InfrastructureConfig {
  auth: AuthConfig;
}

/** Reads and validates this service's configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const reader = new ConfigReader(env);
  const infrastructure = readInfrastructureConfig(reader, {
    serviceName: SERVICE.name,
    port: SERVICE.port,
    database: SERVICE.database,
  });
  const auth = readAuthConfig(reader);
  reader.done();
  return { ...infrastructure, auth };
}
