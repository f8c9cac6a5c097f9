/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'phr-preferences',
  port: 3003,
  database: 'gm_phr_preferences',
  title: 'PHR messaging preferences',
  description:
    'Settings > PHR Settings > Preferences: whether and whom patients may message from the PHR.',
} as const;
