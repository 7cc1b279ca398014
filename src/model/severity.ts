/** Severity scale shared by every detector. Sigma's `informational` maps to `info`. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

/** Parses a user-supplied severity (accepts Sigma's `informational`), or returns undefined. */
export function parseSeverity(s: string): Severity | undefined {
  const v = s.trim().toLowerCase();
  if (v === 'informational') return 'info';
  return isSeverity(v) ? v : undefined;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}
