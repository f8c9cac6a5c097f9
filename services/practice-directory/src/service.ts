/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'practice-directory',
  port: 3001,
  database: 'gm_practice_directory',
  title: 'Practice directory',
  description:
    'Source of truth for practices (plan), facilities, patient categories, roles and privileges, members and patients; publishes their state to compacted topics.',
} as const;
