import { readServiceConfig, type ServiceConfig as CommonConfig } from '@gm/auth';
import type { ConfigReader } from '@gm/service-kit';
import {
  PATIENT_CHANNELS,
  type ClientChannels,
  type PatientChannel,
} from './patient-messaging/domain/patient-channel.js';
import { SERVICE } from './service.js';

/** How many messages (new threads and follow-ups) one patient may send per sliding window. */
export interface PatientSendLimit {
  limit: number;
  windowSeconds: number;
}

export interface ServiceConfig extends CommonConfig {
  patientSendLimit: PatientSendLimit;
  /** Which OAuth clients are which patient app (`PATIENT_CLIENT_CHANNELS`). */
  clientChannels: ClientChannels;
}

/** The development identity provider's clients (tools/mint-token.ts); production lists its own. */
const DEFAULT_CLIENT_CHANNELS =
  'gm-phr-web=phr-web,gm-mobile-app=mobile-app,gm-branded-app=branded-app';

/** `client=channel,client=channel`: each client id at most once, each channel a known one. */
function clientChannels(reader: ConfigReader): ClientChannels {
  const name = 'PATIENT_CLIENT_CHANNELS';
  const channels = new Map<string, PatientChannel>();
  for (const pair of reader.string(name, DEFAULT_CLIENT_CHANNELS).split(',')) {
    const [clientId, channel, ...rest] = pair.split('=').map((part) => part.trim());
    if (!clientId || rest.length || !PATIENT_CHANNELS.includes(channel as PatientChannel)) {
      reader.problem(`${name} entry "${pair}" is not client=${PATIENT_CHANNELS.join('|')}`);
    } else if (channels.has(clientId)) {
      reader.problem(`${name} names client ${clientId} twice`);
    } else channels.set(clientId, channel as PatientChannel);
  }
  return channels;
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
    clientChannels: clientChannels(reader),
  }));
}
