/**
 * Privilege codes a role can grant (RoleChanged.privileges). Settings > Facility
 * > Roles in the product; the directory rejects codes not listed here.
 */
export const PRIVILEGES = {
  /** Settings > Messages > Practice Access: create and edit message groups. */
  messageGroupsSettings: 'settings.messages.practice-access',
  /** Settings > PHR Settings: edit PHR messaging preferences. */
  phrSettings: 'settings.phr-settings',
  /** Read the access audit trail. */
  auditRead: 'audit.read',
} as const;

export type Privilege = (typeof PRIVILEGES)[keyof typeof PRIVILEGES];

export const ALL_PRIVILEGES: readonly Privilege[] = Object.values(PRIVILEGES);
