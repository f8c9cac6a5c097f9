/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'group-config',
  port: 3002,
  database: 'gm_group_config',
  title: 'Message groups',
  description:
    'Settings > Messages > Message Groups: create, list, update and delete message groups under every product rule.',
} as const;
