import { channelOf } from './patient-channel.js';

const channels = new Map([
  ['gm-phr-web', 'phr-web'],
  ['acme-clinic-ios', 'branded-app'],
] as const);

describe('channelOf: the app a patient wrote from', () => {
  it('is the channel the client id is configured as', () => {
    expect(channelOf('gm-phr-web', channels)).toBe('phr-web');
    expect(channelOf('acme-clinic-ios', channels)).toBe('branded-app');
  });

  it('is unknown for a client not configured, or a token naming no client', () => {
    expect(channelOf('someone-elses-app', channels)).toBe('unknown');
    expect(channelOf(undefined, channels)).toBe('unknown');
  });
});
