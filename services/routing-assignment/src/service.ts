/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'routing-assignment',
  port: 3005,
  database: 'gm_routing_assignment',
  title: 'Routing and assignment',
  description:
    'The practice side of a thread: routing, assignment, replies as the group, trash and restore.',
} as const;
