import { readServiceConfig, type ServiceConfig } from '@gm/auth';
import { SERVICE } from './service.js';

export type { ServiceConfig };

/** Reads and validates this service's configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  return readServiceConfig(env, SERVICE);
}
