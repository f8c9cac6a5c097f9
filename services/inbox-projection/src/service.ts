/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'inbox-projection',
  port: 3006,
  database: 'gm_inbox_projection',
  title: 'Inboxes',
  description:
    'The CQRS read model: per-member inboxes with Admin, User and care-team visibility, and the patient mailbox.',
} as const;
