import { readServiceConfig, type ServiceConfig as CommonConfig } from '@gm/auth';
import { SERVICE } from './service.js';

/** How many messages (new threads and follow-ups) one patient may send per sliding window. */
export interface PatientSendLimit {
  limit: number;
  windowSeconds: number;
}

export interface ServiceConfig extends CommonConfig {
  patientSendLimit: PatientSendLimit;
}

/**
 * A 20,000-character body is up to 80 kB of UTF-8, or 240 kB when a client
 * escapes every character as \uXXXX: the 64 kB default would refuse messages
 * the product accepts.
 */
const BODY_LIMIT = '256kb';

/** Reads and validates this service's configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  return readServiceConfig(env, { ...SERVICE, bodyLimit: BODY_LIMIT }, (reader) => ({
    patientSendLimit: {
      limit: reader.int('PATIENT_SEND_LIMIT', 20, { min: 1, max: 100_000 }),
      windowSeconds: reader.int('PATIENT_SEND_WINDOW_SECONDS', 3600, { min: 1, max: 7 * 86_400 }),
    },
  }));
}
