/** Who this service is: its name, default port and database, and its OpenAPI title. */
export const SERVICE = {
  name: 'access-audit',
  port: 3007,
  database: 'gm_access_audit',
  title: 'Access audit',
  description:
    "The HIPAA access audit trail: who read or changed which thread, when and from where. Insert-only; members with the audit privilege query their practice's records.",
} as const;
