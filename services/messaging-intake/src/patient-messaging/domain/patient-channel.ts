/**
 * The app a patient wrote from: the PHR web portal, the mobile app, or one of
 * the practice's branded apps. Told by the OAuth client the patient's token
 * was issued to, never by anything the request says about itself.
 */
export type PatientChannel = 'phr-web' | 'mobile-app' | 'branded-app' | 'unknown';

export const PATIENT_CHANNELS: readonly PatientChannel[] = [
  'phr-web',
  'mobile-app',
  'branded-app',
  'unknown',
];

/** Which client ids are which app; a client not listed (or no client claim) is `unknown`. */
export type ClientChannels = ReadonlyMap<string, PatientChannel>;

export function channelOf(clientId: string | undefined, channels: ClientChannels): PatientChannel {
  return (clientId === undefined ? undefined : channels.get(clientId)) ?? 'unknown';
}
