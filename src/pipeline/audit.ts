import { readFileSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { Alert } from '../model/alert.js';
import type {
  AuditError, AuditReport, AuditSummary, ConfigTree, DeviceReport, Finding, FindingKind, Platform, SectionDiff,
} from '../model/config.js';
import type { SiteConfig } from '../model/site.js';
import { SEVERITIES, severityRank, type Severity } from '../model/severity.js';
import { ConfigError, MAX_CONFIG_BYTES, parseConfig } from '../parsers/configs/parse.js';
import { redactLine } from '../parsers/configs/redact.js';
import { CheckError, compileChecks, type CompiledCheck } from '../detectors/audit/checks.js';
import { evaluateChecks, skipReason, type RawFinding } from '../detectors/audit/evaluate.js';
import { counterpart, diffTrees, type TreeDiff } from '../detectors/audit/drift.js';
import { siteFromObject } from '../site/load.js';

export { configAddresses, type ConfigAddress } from '../detectors/audit/addresses.js';
import { configAddresses } from '../detectors/audit/addresses.js';
import type { IndicatorMatcher } from './intel.js';
export { CheckError } from '../detectors/audit/checks.js';

/** rules/config beside the package (works from src/ via tsx and from dist/src/). */
export const RULES_DIR = (() => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['../../rules/config', '../../../rules/config']) {
    const p = join(here, up);
    try { if (statSync(p).isDirectory()) return p; } catch { /* try the next */ }
  }
  return join(here, '../../../rules/config');
})();

/** Loads and compiles every `rules/config/*.yml` (or the given folder/files). Throws CheckError on bad rules. */
export function loadChecks(dir: string = RULES_DIR): CompiledCheck[] {
  const files = statSync(dir).isDirectory()
    ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f))
    : [dir];
  const defs = files.map((f) => {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new CheckError(f, undefined, `not valid YAML: ${(e as Error).message}`);
    }
    const checks = (doc as { checks?: unknown[] } | null)?.checks;
    if (!Array.isArray(checks)) throw new CheckError(f, undefined, 'expected a top-level `checks:` list');
    return { source: f, checks };
  });
  return compileChecks(defs);
}

let defaultChecks: CompiledCheck[] | undefined;
export function builtinChecks(): CompiledCheck[] {
  return (defaultChecks ??= loadChecks());
}

export interface AuditOptions {
  site?: SiteConfig;
  /** Baseline snapshot (files or folders) to compare against: adds `drift` findings and per-section diffs. */
  baseline?: string[];
  showSecrets?: boolean;
  checks?: CompiledCheck[];
  /** Parse every file as this platform instead of detecting it. */
  platform?: Platform;
  /** Threat-intel matcher: addresses the config references that match an indicator become INTEL-IOC findings. */
  intel?: Pick<IndicatorMatcher, 'matchConfigAddresses'>;
}

export interface AuditTextOptions {
  showSecrets?: boolean;
  checks?: CompiledCheck[];
  platform?: Platform;
}

const NO_SITE = siteFromObject({}, '<default>');

function evidenceOf(tree: ConfigTree, line: number, showSecrets: boolean): string {
  const raw = (tree.lines[line - 1] ?? '').trim();
  return showSecrets ? raw : redactLine(raw, tree.platform);
}

function toFinding(tree: ConfigTree, r: RawFinding, showSecrets: boolean): Finding {
  const s = r.check.spec;
  return {
    check: r.check.id,
    title: s.title,
    kind: s.kind,
    severity: s.severity,
    line: r.line,
    evidence: evidenceOf(tree, r.line, showSecrets),
    attack: [...s.attack],
    remediation: r.check.remediation[tree.platform] ?? '',
  };
}

function sortFindings(f: Finding[]): Finding[] {
  return f.sort((a, b) => a.line - b.line || a.check.localeCompare(b.check));
}

/** Audits one parsed tree: the findings of every check for its platform. */
export function auditTree(tree: ConfigTree, site: SiteConfig = NO_SITE, opts: AuditTextOptions = {}): Finding[] {
  const raws = evaluateChecks(tree, opts.checks ?? builtinChecks(), site);
  return sortFindings(raws.map((r) => toFinding(tree, r, Boolean(opts.showSecrets))));
}

/**
 * Audits one configuration given as text (the live service's folder watcher calls this for each new
 * snapshot). Returns the device report, or the error when the text is not a configuration.
 */
export function auditConfigText(text: string, file: string, site: SiteConfig = NO_SITE, opts: AuditTextOptions = {}):
  { device: DeviceReport; tree: ConfigTree; error?: undefined } | { error: AuditError; device?: undefined; tree?: undefined } {
  let tree: ConfigTree;
  try {
    tree = parseConfig(text, file, { platform: opts.platform });
  } catch (e) {
    return { error: { file, message: e instanceof ConfigError ? e.message : `parser failure: ${(e as Error).message}` } };
  }
  const findings = auditTree(tree, site, opts);
  return { device: { file, hostname: tree.hostname, platform: tree.platform, findings }, tree };
}

/** The per-section diff between two versions of a device (semantic: text-normalized, order within a section ignored). */
export function diffConfigs(oldTree: ConfigTree, newTree: ConfigTree, opts: { showSecrets?: boolean } = {}): SectionDiff[] {
  return diffTrees(oldTree, newTree).map((d) => publicDiff(d, oldTree, newTree, Boolean(opts.showSecrets)));
}

function publicDiff(d: TreeDiff, oldTree: ConfigTree, newTree: ConfigTree, show: boolean): SectionDiff {
  const r = (t: string, p: Platform) => (show ? t : redactLine(t, p));
  const out: SectionDiff = { section: r(d.section, newTree.platform), added: [], removed: [] };
  if (d.old_line !== undefined) out.old_line = d.old_line;
  if (d.new_line !== undefined) out.new_line = d.new_line;
  out.added = d.added.map((x) => ({ line: x.line, text: r(x.text, newTree.platform) }));
  out.removed = d.removed.map((x) => ({ line: x.line, text: r(x.text, oldTree.platform) }));
  return out;
}

/** Key of a compromise finding independent of line numbers: check plus the statement text. */
function findingKey(tree: ConfigTree, r: RawFinding): string {
  return `${r.check.id}\u0000${r.node?.text ?? (tree.lines[r.line - 1] ?? '').trim()}`;
}

/**
 * Drift findings: every compromise finding of the new tree whose statement the old tree did not already
 * have, naming the new line and (when the statement replaced one) the old line.
 */
export function driftFindings(oldTree: ConfigTree, newTree: ConfigTree, site: SiteConfig = NO_SITE, opts: AuditTextOptions = {}):
  { findings: Finding[]; diff: SectionDiff[] } {
  const checks = (opts.checks ?? builtinChecks()).filter((c) => c.spec.kind === 'compromise');
  const show = Boolean(opts.showSecrets);
  const oldRaw = evaluateChecks(oldTree, checks, site);
  const oldKeys = new Set(oldRaw.map((r) => findingKey(oldTree, r)));
  const newRaw = evaluateChecks(newTree, checks, site);
  const diff = diffTrees(oldTree, newTree);
  const findings: Finding[] = [];
  for (const r of newRaw) {
    if (oldKeys.has(findingKey(newTree, r))) continue;
    const base = toFinding(newTree, r, show);
    const cp = counterpart(diff, r.line);
    let previous: Finding['previous'] = null;
    if (cp?.old) previous = { file: oldTree.file, line: cp.old.line, evidence: evidenceOf(oldTree, cp.old.line, show) };
    else if (cp?.section.old_line) previous = { file: oldTree.file, line: cp.section.old_line, evidence: evidenceOf(oldTree, cp.section.old_line, show) };
    findings.push({
      ...base,
      check: `DRIFT-${base.check}`,
      title: `Drift: ${base.title}`,
      kind: 'drift',
      previous,
    });
  }
  return { findings: sortFindings(findings), diff: diff.map((d) => publicDiff(d, oldTree, newTree, show)) };
}

/** Recursively lists files under the given paths (sorted, dot-files skipped). Missing paths are errors. */
export async function* listFiles(paths: readonly string[]): AsyncGenerator<{ file: string; error?: string }> {
  for (const p of paths) {
    let st: Stats;
    try {
      st = await stat(p);
    } catch (e) {
      yield { file: p, error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
      continue;
    }
    if (st.isDirectory()) yield* listFolder(p);
    else yield { file: p };
  }
}

/** One folder's files, recursively: the entry types from readdir spare a stat per file (symlinks are followed). */
async function* listFolder(dir: string): AsyncGenerator<{ file: string; error?: string }> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    yield { file: dir, error: `cannot list folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isFile()) yield { file: p };
    else if (e.isDirectory()) yield* listFolder(p);
    else yield* listFiles([p]);
  }
}

/** Reads one file as a configuration text, refusing oversized or unreadable files with a reason. */
export async function readConfigFile(file: string): Promise<{ text: string } | { error: string; io: boolean }> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return { error: 'not a regular file', io: true };
    if (st.size > MAX_CONFIG_BYTES) return { error: `too large for a device configuration (${st.size} bytes; limit ${MAX_CONFIG_BYTES})`, io: false };
    const buf = await readFile(file);
    return { text: buf.toString('utf8') };
  } catch (e) {
    return { error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, io: true };
  }
}

/** readConfigFile for batch use (the CLI): the same checks and messages, plain syscalls, no thread-pool round trips. */
export function readConfigFileSync(file: string): { text: string } | { error: string; io: boolean } {
  try {
    const st = statSync(file);
    if (!st.isFile()) return { error: 'not a regular file', io: true };
    if (st.size > MAX_CONFIG_BYTES) return { error: `too large for a device configuration (${st.size} bytes; limit ${MAX_CONFIG_BYTES})`, io: false };
    return { text: readFileSync(file).toString('utf8') };
  } catch (e) {
    return { error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, io: true };
  }
}

export type AuditItem =
  | { device: DeviceReport; error?: undefined; /** A problem with a file that was still audited (truncation). */ warning?: AuditError }
  | { error: AuditError; io: boolean; device?: undefined };

/** Baseline index: hostname and base name to file, built from the baseline snapshot (trees not kept). */
async function indexBaseline(paths: readonly string[], opts: AuditOptions): Promise<{ byHost: Map<string, string>; byName: Map<string, string>; errors: AuditError[] }> {
  const byHost = new Map<string, string>();
  const byName = new Map<string, string>();
  const errors: AuditError[] = [];
  for await (const f of listFiles(paths)) {
    if (f.error) { errors.push({ file: f.file, message: `baseline: ${f.error}` }); continue; }
    const r = await readConfigFile(f.file);
    if ('error' in r) { errors.push({ file: f.file, message: `baseline: ${r.error}` }); continue; }
    try {
      const t = parseConfig(r.text, f.file, { platform: opts.platform });
      if (!byHost.has(t.hostname)) byHost.set(t.hostname, f.file);
    } catch { /* not a config: cannot be a baseline */ }
    const b = basename(f.file);
    if (!byName.has(b)) byName.set(b, f.file);
  }
  return { byHost, byName, errors };
}

/**
 * Audits files and folders one file at a time (memory stays flat with fleet size), yielding each device
 * report or error as soon as it is known. With `baseline`, each device is paired with its baseline version
 * (same hostname, else same file name) and drift findings and a per-section diff are added.
 */
export async function* auditFiles(paths: readonly string[], opts: AuditOptions = {}): AsyncGenerator<AuditItem> {
  const site = opts.site ?? NO_SITE;
  const checks = opts.checks ?? builtinChecks();
  const topts: AuditTextOptions = { showSecrets: opts.showSecrets, checks, platform: opts.platform };
  const base = opts.baseline?.length ? await indexBaseline(opts.baseline, opts) : undefined;
  if (base) for (const e of base.errors) yield { error: e, io: /cannot/.test(e.message) };
  for await (const f of listFiles(paths)) {
    if (f.error) { yield { error: { file: f.file, message: f.error }, io: true }; continue; }
    // Synchronous read: for a batch audit it costs the same syscalls without the thread-pool round trips of
    // fs/promises (a quarter of the time on small files); the parse that follows blocks this thread anyway.
    const r = readConfigFileSync(f.file);
    if ('error' in r) { yield { error: { file: f.file, message: r.error }, io: r.io }; continue; }
    const res = auditConfigText(r.text, f.file, site, topts);
    if (res.error) { yield { error: res.error, io: false }; continue; }
    const device = res.device;
    if (base) {
      const bf = base.byHost.get(device.hostname) ?? base.byName.get(basename(f.file));
      device.baseline = null;
      if (bf) {
        const br = await readConfigFile(bf);
        if (!('error' in br)) {
          try {
            const oldTree = parseConfig(br.text, bf, { platform: opts.platform });
            const d = driftFindings(oldTree, res.tree, site, topts);
            device.findings = sortFindings([...device.findings, ...d.findings]);
            device.baseline = { file: bf, diff: d.diff };
          } catch { /* baseline file is not a config: reported by indexBaseline's pass */ }
        }
      }
    }
    if (opts.intel) {
      const addrs = configAddresses(res.tree).map((a) => ({ address: a.address, line: a.line, kind: a.kind, file: f.file }));
      const hits = opts.intel.matchConfigAddresses(device.hostname, addrs).map((a) => intelFinding(res.tree, a, Boolean(opts.showSecrets)));
      if (hits.length) device.findings = sortFindings([...device.findings, ...hits]);
    }
    yield res.tree.truncated ? { device, warning: { file: f.file, message: `truncated: the file ${res.tree.truncated}; audited what is there` } } : { device };
  }
}

/** An indicator match on a configured address, as an audit finding (check INTEL-IOC, kind compromise). */
function intelFinding(tree: ConfigTree, a: Alert, showSecrets: boolean): Finding {
  const ind = a.indicator!;
  const line = a.source?.line ?? 0;
  return {
    check: 'INTEL-IOC',
    title: `${ind.field ? `${ind.field} address` : 'Address'} ${ind.value} matches threat indicator ${ind.name ?? ind.id} (${ind.source}${ind.confidence !== undefined ? `, confidence ${ind.confidence}` : ''})` +
      (ind.actors.length ? `; related to ${ind.actors.join(', ')}` : ''),
    kind: 'compromise',
    severity: a.severity,
    line,
    evidence: line ? evidenceOf(tree, line, showSecrets) : ind.value,
    attack: a.attack,
    remediation: `Find out who configured ${ind.value} and why: an address from threat intelligence (indicator ${ind.id}) in a device's own configuration ` +
      'suggests the device was changed by an intruder. Remove the statement, rotate every secret in this configuration, and compare with the intended configuration.',
  };
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Running totals for the report summary. */
export class SummaryBuilder {
  readonly summary: AuditSummary;
  ioErrors = 0;
  constructor(site: SiteConfig, checks: readonly CompiledCheck[], baseline?: readonly string[]) {
    const skipped: AuditSummary['skipped_checks'] = [];
    for (const c of checks) { const why = skipReason(c, site); if (why) skipped.push({ check: c.id, reason: why }); }
    this.summary = {
      files: 0, devices: 0, errors: 0, findings: 0,
      by_severity: emptyCounts(SEVERITIES),
      by_kind: emptyCounts<FindingKind>(['hardening', 'compromise', 'drift']),
      by_platform: {},
      checks: checks.length,
      site: site.path ?? null,
      assumptions: [...site.assumptions],
      skipped_checks: skipped,
      baseline: baseline?.length ? baseline.join(', ') : null,
    };
  }
  add(item: AuditItem): void {
    const s = this.summary;
    s.files++;
    if (item.error) { s.errors++; if (item.io) this.ioErrors++; return; }
    s.devices++;
    if (item.warning) s.errors++;
    s.by_platform[item.device.platform] = (s.by_platform[item.device.platform] ?? 0) + 1;
    for (const f of item.device.findings) {
      s.findings++;
      s.by_severity[f.severity]++;
      s.by_kind[f.kind]++;
    }
  }
}

/** Audits files and folders and collects the whole report (see auditFiles for streaming). */
export async function auditPaths(paths: readonly string[], opts: AuditOptions = {}): Promise<AuditReport> {
  const site = opts.site ?? NO_SITE;
  const checks = opts.checks ?? builtinChecks();
  const sb = new SummaryBuilder(site, checks, opts.baseline);
  const devices: DeviceReport[] = [];
  const errors: AuditError[] = [];
  for await (const item of auditFiles(paths, { ...opts, site, checks })) {
    sb.add(item);
    if (item.device) {
      devices.push(item.device);
      if (item.warning) errors.push(item.warning);
    } else errors.push(item.error);
  }
  return { devices, errors, summary: sb.summary };
}

/** The highest severity among findings, or undefined. */
export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let w: Severity | undefined;
  for (const f of findings) if (!w || severityRank(f.severity) > severityRank(w)) w = f.severity;
  return w;
}

const IPV4_RE = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/g;

/**
 * The common Alert for one audit finding (detector `audit`), so the service, store and correlation can
 * handle config findings with the other detectors' alerts. `time` defaults to now (configs carry no time).
 */
export function findingToAlert(device: { hostname: string; file?: string; platform?: string }, finding: Finding, time = new Date().toISOString()): Alert {
  const id = createHash('sha256')
    .update(['audit', finding.check, device.hostname, device.file ?? '', String(finding.line), finding.evidence].join('\u0000'))
    .digest('hex').slice(0, 32);
  const ips = [...new Set([...finding.evidence.matchAll(IPV4_RE)].map((m) => m[1]))];
  const account = /^(?:username|system login user) (\S+)/.exec(finding.evidence)?.[1];
  return {
    id,
    time,
    detector: 'audit',
    rule: {
      id: finding.check,
      title: finding.title,
      level: finding.severity,
      tags: finding.attack.map((a) => `attack.${a.toLowerCase()}`),
      kind: finding.kind,
    },
    severity: finding.severity,
    attack: [...finding.attack],
    device: device.hostname,
    entities: {
      devices: [device.hostname],
      ...(ips.length ? { ips } : {}),
      ...(account ? { accounts: [account] } : {}),
    },
    source: { file: device.file ?? device.hostname, line: finding.line },
    event: { host: device.hostname, message: finding.evidence, platform: device.platform },
    reasons: [`${finding.title} (line ${finding.line}: ${finding.evidence})`],
    remediation: finding.remediation,
  };
}
