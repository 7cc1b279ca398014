/**
 * The normalized access-audit event of lawful-intercept and call-record systems (docs/ACCESS.md).
 * The JSON Lines form uses exactly these names, so other tools can write it directly.
 */

export const ACCESS_ACTIONS = [
  'login', 'login_failed', 'search', 'provision_intercept', 'modify_intercept', 'deprovision_intercept',
  'export', 'admin_change', 'logout',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/** What an `admin_change` did (optional field `change`; absent means "some other administrative change"). */
export const ADMIN_CHANGES = [
  'create_account', 'role_change', 'disable_account', 'enable_account', 'delete_account', 'password_reset', 'other',
] as const;
export type AdminChange = (typeof ADMIN_CHANGES)[number];

/** Systems Tidewatch knows by name; a site may declare others (`access.systems` in the site file). */
export const KNOWN_SYSTEMS = ['li-admin', 'li-mediation', 'cdr-warehouse'] as const;

export interface AccessEvent {
  /** ISO 8601 UTC with milliseconds. */
  time: string;
  /** `li-admin`, `li-mediation`, `cdr-warehouse` or a name the site declares. */
  system: string;
  /** The operator account that acted. */
  operator: string;
  src_host?: string;
  src_ip?: string;
  action: AccessAction;
  /** Target identifiers (MSISDN, IMSI, IMEI, SIP URI) as the system logged them. */
  targets: string[];
  /** Warrant or case reference the action cites. */
  case_ref?: string;
  /** Records returned (searches). */
  records?: number;
  /** Bytes exported (exports). */
  bytes?: number;
  result: 'success' | 'failure';
  /** admin_change only: what changed. */
  change?: AdminChange;
  /** admin_change only: the account changed (the subject, not the actor). */
  account?: string;
  /** admin_change only: the role granted. */
  role?: string;
}

export function isAccessAction(s: unknown): s is AccessAction {
  return typeof s === 'string' && (ACCESS_ACTIONS as readonly string[]).includes(s);
}

export function isAdminChange(s: unknown): s is AdminChange {
  return typeof s === 'string' && (ADMIN_CHANGES as readonly string[]).includes(s);
}

/** One entry of the warrant register (JSON form: `[{"case_ref","targets":[...],"valid_from","valid_until","operators":[...]}]`). */
export interface Warrant {
  case_ref: string;
  targets: string[];
  valid_from: string;
  valid_until: string;
  /** Operators authorized for the case; empty means the register does not restrict operators for it. */
  operators: string[];
}

/** The alert kinds of `tidewatch access check` (the `kind` field of its JSON Lines output, `rule.kind` of the Alert). */
export const ACCESS_ALERT_KINDS = [
  'no_warrant', 'unauthorized_operator', 'undeclared_source', 'new_account', 'privilege_change', 'bulk_export',
  'disabled_account', 'failed_login_burst', 'behaviour_anomaly',
] as const;
export type AccessAlertKind = (typeof ACCESS_ALERT_KINDS)[number];
