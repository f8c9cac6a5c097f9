import { readServiceConfig, type ServiceConfig as CommonConfig } from '@gm/auth';
import { ConfigError, type ConfigReader } from '@gm/service-kit';
import { createHmac } from 'node:crypto';
import type { PatientKey } from './threads/infrastructure/hmac-patient-pseudonyms.js';
import { SERVICE } from './service.js';

export interface ServiceConfig extends CommonConfig {
  /** What the analytics stream's patient keys are made with (ADR 0024). */
  analyticsPatientKey: PatientKey;
}

export const MIN_PATIENT_KEY_LENGTH = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const DERIVED_KEY_LABEL = 'group-messages analytics patient key';

/** The key as configured; an empty secret is derived below, where it can be. */
function patientKey(reader: ConfigReader): PatientKey {
  const id = reader.string('ANALYTICS_PATIENT_KEY_ID', 'k1');
  if (!KEY_ID.test(id)) reader.problem('ANALYTICS_PATIENT_KEY_ID must be 1-32 of A-Z a-z 0-9 _ -');
  const secret = reader.optionalString('ANALYTICS_PATIENT_KEY') ?? '';
  if (secret && secret.length < MIN_PATIENT_KEY_LENGTH) {
    reader.problem(`ANALYTICS_PATIENT_KEY must be at least ${MIN_PATIENT_KEY_LENGTH} characters`);
  }
  return { id, secret };
}

/**
 * Reads and validates this service's configuration; throws a ConfigError naming each bad variable.
 * `ANALYTICS_PATIENT_KEY` (at least 32 characters) and `ANALYTICS_PATIENT_KEY_ID` (default `k1`):
 * rotating the key is setting a new one under a new id. Where services share an HS256 secret the
 * key may be left unset and is derived from it, as the consistency-token key is.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const config = readServiceConfig(env, SERVICE, (reader) => ({
    analyticsPatientKey: patientKey(reader),
  }));
  const key = config.analyticsPatientKey;
  if (key.secret) return config;
  if (!config.auth.jwtSecret) {
    throw new ConfigError(['ANALYTICS_PATIENT_KEY is required with AUTH_JWKS_URL']);
  }
  const secret = createHmac('sha256', config.auth.jwtSecret)
    .update(DERIVED_KEY_LABEL)
    .digest('base64url');
  return { ...config, analyticsPatientKey: { ...key, secret } };
}
