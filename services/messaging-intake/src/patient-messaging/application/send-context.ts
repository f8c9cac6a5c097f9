import type { Caller } from '@gm/auth';
import { channelOf, type ClientChannels, type PatientChannel } from '../domain/patient-channel.js';
import type { PatientFacts } from '../domain/recipient-policy.js';

/** Injection token of the client-to-channel map (`PATIENT_CLIENT_CHANNELS`). */
export const CLIENT_CHANNELS = Symbol('CLIENT_CHANNELS');

/**
 * What a message is sent from, recorded on its MessageSent for analytics:
 * the app (from the caller's credentials) and the patient's facility and
 * categories at the moment of sending (the facts the send was checked on).
 */
export interface SendContext {
  channel: PatientChannel;
  facilityId: string | null;
  categoryIds: string[];
}

export function sendContext(
  caller: Caller,
  patient: PatientFacts | null,
  channels: ClientChannels,
): SendContext {
  return {
    channel: channelOf(caller.clientId, channels),
    facilityId: patient?.facilityId ?? null,
    categoryIds: [...(patient?.categoryIds ?? [])],
  };
}
