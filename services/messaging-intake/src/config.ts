import { ConfigReader, readInfrastructureConfig, type InfrastructureConfig } from '@gm/service-kit';
import { SERVICE } from './service.js';

export type ServiceConfig = InfrastructureConfig;

/** Reads and validates this service's configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const reader = new ConfigReader(env);
  const infrastructure = readInfrastructureConfig(reader, {
    serviceName: SERVICE.name,
    port: SERVICE.port,
    database: SERVICE.database,
  });
  reader.done();
  return infrastructure;
}
