import type { Severity } from './severity.js';

/** Platforms `tidewatch audit` recognizes. Junos covers both the curly-brace and the `set` form. */
export const PLATFORMS = ['ios', 'iosxe', 'iosxr', 'nxos', 'asa', 'junos', 'eos'] as const;
export type Platform = (typeof PLATFORMS)[number];
export type DetectedPlatform = Platform | 'unknown';

export function isPlatform(s: unknown): s is Platform {
  return typeof s === 'string' && (PLATFORMS as readonly string[]).includes(s);
}

/**
 * One configuration statement. For the Cisco-like platforms (and EOS) the tree follows indentation:
 * `interface Tunnel0` holds ` tunnel destination 192.0.2.1`. For Junos, both forms are flattened into
 * `set`-style statements without the `set ` (`system services telnet`), all at the top level, so checks
 * see the same text whichever form the file used.
 */
export interface ConfigNode {
  /** Normalized text: trimmed, runs of blanks collapsed to one space. */
  text: string;
  /** 1-based line in the file. */
  line: number;
  children: ConfigNode[];
  parent?: ConfigNode;
  /** Junos curly form: the enclosing blocks (`system`, `login`, `user netops`) and the lines that opened them. */
  blocks?: { text: string; line: number }[];
}

export interface ConfigTree {
  file: string;
  platform: Platform;
  /** For Junos: which syntax the file used. */
  form: 'indent' | 'curly' | 'set';
  hostname: string;
  /** Line of the hostname statement (0 when absent). */
  hostnameLine: number;
  /** Top-level statements in file order. */
  nodes: ConfigNode[];
  /** Raw lines of the file (index 0 = line 1), for evidence. */
  lines: string[];
  /** Statements the parser could not place (e.g. unbalanced braces), with why; parsing goes on. */
  warnings: { line: number; message: string }[];
  /** Set when the file ends before the configuration does (unclosed blocks, fewer bytes than the header says). */
  truncated?: string;
}

export type FindingKind = 'hardening' | 'compromise' | 'drift';

/** One finding in the `tidewatch audit --format json` contract (README, docs/CHECKS.md). */
export interface Finding {
  check: string;
  title: string;
  kind: FindingKind;
  severity: Severity;
  /** 1-based line in the file. */
  line: number;
  /** The config text of that line, secrets redacted (unless --show-secrets). */
  evidence: string;
  attack: string[];
  remediation: string;
  /** Drift findings: the corresponding line of the baseline version (absent when the statement is new). */
  previous?: { file: string; line: number; evidence: string } | null;
}

/** A semantic difference between two versions of one device, per section. */
export interface SectionDiff {
  /** Section header text (`interface Tunnel0`, `system services`), or `(global)` for top-level statements. */
  section: string;
  old_line?: number;
  new_line?: number;
  added: { line: number; text: string }[];
  removed: { line: number; text: string }[];
}

export interface DeviceReport {
  file: string;
  hostname: string;
  platform: Platform;
  findings: Finding[];
  /** With --baseline: the baseline file this device was compared with, and the per-section diff. */
  baseline?: { file: string; diff: SectionDiff[] } | null;
}

export interface AuditError {
  file: string;
  message: string;
}

export interface AuditSummary {
  files: number;
  devices: number;
  errors: number;
  findings: number;
  by_severity: Record<Severity, number>;
  by_kind: Record<FindingKind, number>;
  by_platform: Record<string, number>;
  checks: number;
  site: string | null;
  assumptions: string[];
  /** Site-aware checks that were not evaluated because the site file does not declare what they need. */
  skipped_checks: { check: string; reason: string }[];
  baseline: string | null;
}

export interface AuditReport {
  devices: DeviceReport[];
  errors: AuditError[];
  summary: AuditSummary;
}
