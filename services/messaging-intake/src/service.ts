/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'messaging-intake',
  port: 3004,
  database: 'gm_messaging_intake',
  title: 'Patient messaging',
  description:
    'The patient side: the To list, sending a message to a group or a member, and follow-ups.',
} as const;
