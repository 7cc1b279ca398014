import { relative, sep } from 'node:path';
import type { AuditError, AuditSummary, DeviceReport, Finding } from '../model/config.js';
import type { Severity } from '../model/severity.js';
import type { CompiledCheck } from '../detectors/audit/checks.js';

/**
 * Renderers of `tidewatch audit` reports. Each is streaming: `device()` is called once per device as the
 * audit goes, `end()` once with the errors and the summary, so memory stays flat with the fleet size.
 * The JSON shape is the documented contract (README, docs/CHECKS.md); SARIF is 2.1.0.
 */
export interface ReportWriter {
  begin(): string;
  device(d: DeviceReport): string;
  end(errors: readonly AuditError[], summary: AuditSummary): string;
}

/** `--format json`: `{"devices":[...],"errors":[...],"summary":{...}}`, written as devices arrive. */
export class JsonReportWriter implements ReportWriter {
  private n = 0;
  begin(): string { return '{"devices":['; }
  device(d: DeviceReport): string {
    return (this.n++ ? ',\n' : '\n') + JSON.stringify(publicDevice(d));
  }
  end(errors: readonly AuditError[], summary: AuditSummary): string {
    return `${this.n ? '\n' : ''}],\n"errors":${JSON.stringify(errors)},\n"summary":${JSON.stringify(summary)}}\n`;
  }
}

/** Device in the contract's key order (and without `baseline` unless a baseline was given). */
export function publicDevice(d: DeviceReport): DeviceReport {
  const out: DeviceReport = { file: d.file, hostname: d.hostname, platform: d.platform, findings: d.findings.map(publicFinding) };
  if (d.baseline !== undefined) out.baseline = d.baseline;
  return out;
}

export function publicFinding(f: Finding): Finding {
  const out: Finding = {
    check: f.check, title: f.title, kind: f.kind, severity: f.severity, line: f.line, evidence: f.evidence,
    attack: f.attack, remediation: f.remediation,
  };
  if (f.previous !== undefined) out.previous = f.previous;
  return out;
}

/**
 * `--format jsonl`: one object per line. `{"type":"finding","file","hostname","platform",...finding}` per
 * finding, `{"type":"diff","file","hostname","baseline","section",...}` per changed section with --baseline,
 * `{"type":"error","file","message"}` per file that is not a configuration, and a last
 * `{"type":"summary",...}` line.
 */
export class JsonlReportWriter implements ReportWriter {
  begin(): string { return ''; }
  device(d: DeviceReport): string {
    let s = '';
    for (const f of d.findings) s += JSON.stringify({ type: 'finding', file: d.file, hostname: d.hostname, platform: d.platform, ...publicFinding(f) }) + '\n';
    if (d.baseline) for (const x of d.baseline.diff) s += JSON.stringify({ type: 'diff', file: d.file, hostname: d.hostname, baseline: d.baseline.file, ...x }) + '\n';
    return s;
  }
  end(errors: readonly AuditError[], summary: AuditSummary): string {
    let s = '';
    for (const e of errors) s += JSON.stringify({ type: 'error', ...e }) + '\n';
    return s + JSON.stringify({ type: 'summary', ...summary }) + '\n';
  }
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning reads `security-severity` (0-10) to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

function sarifUri(file: string, base: string): string {
  const rel = relative(base, file);
  const p = (rel && !rel.startsWith('..') ? rel : file).split(sep).join('/');
  return encodeURI(p).replace(/[?#]/g, encodeURIComponent);
}

interface SarifRule { id: string; severity: Severity; kind: string; attack: string[]; title: string; description?: string; remediation: Record<string, string>; references: string[] }

function ruleOf(c: CompiledCheck, drift: boolean): SarifRule {
  const s = c.spec;
  return {
    id: drift ? `DRIFT-${c.id}` : c.id,
    severity: s.severity,
    kind: drift ? 'drift' : s.kind,
    attack: s.attack,
    title: drift ? `Drift: ${s.title}` : s.title,
    description: drift ? `A change since the baseline added something check ${c.id} flags. ${s.description ?? ''}`.trim() : s.description,
    remediation: c.remediation as Record<string, string>,
    references: s.references ?? [],
  };
}

/**
 * `--format sarif`: SARIF 2.1.0 with one rule per check (and one per drift variant when a baseline is
 * given), so code-scanning platforms show findings inline in a config repository. URIs are relative to
 * `base` (the working directory) when the file lies below it.
 */
export class SarifReportWriter implements ReportWriter {
  private readonly rules: SarifRule[];
  private readonly index = new Map<string, number>();
  private n = 0;
  constructor(checks: readonly CompiledCheck[], private readonly opts: { base: string; baseline: boolean; version: string }) {
    this.rules = checks.map((c) => ruleOf(c, false));
    if (opts.baseline) for (const c of checks) if (c.spec.kind === 'compromise') this.rules.push(ruleOf(c, true));
    this.rules.forEach((r, i) => this.index.set(r.id, i));
  }
  begin(): string {
    const rules = this.rules.map((r) => ({
      id: r.id,
      name: r.id.toLowerCase().replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: r.title },
      fullDescription: { text: r.description ?? r.title },
      help: {
        text: Object.entries(r.remediation).map(([p, lines]) => `${p}:\n${lines}`).join('\n\n'),
        markdown: Object.entries(r.remediation).map(([p, lines]) => `**${p}**\n\n\`\`\`\n${lines}\n\`\`\``).join('\n\n'),
      },
      defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
      properties: {
        tags: ['security', r.kind, ...r.attack, ...r.references],
        'security-severity': SECURITY_SEVERITY[r.severity],
        precision: r.kind === 'hardening' ? 'very-high' : 'high',
      },
    }));
    const head = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{
        tool: { driver: { name: 'tidewatch', semanticVersion: this.opts.version, rules } },
        columnKind: 'unicodeCodePoints',
        results: [],
      }],
    };
    const text = JSON.stringify(head);
    // open the results array for streaming: cut the closing `]}]}` of `"results":[]}]}`
    return text.slice(0, text.lastIndexOf('"results":[]') + '"results":['.length);
  }
  device(d: DeviceReport): string {
    let s = '';
    const uri = sarifUri(d.file, this.opts.base);
    for (const f of d.findings) {
      const ruleIndex = this.index.get(f.check);
      const result: Record<string, unknown> = {
        ruleId: f.check,
        ...(ruleIndex !== undefined ? { ruleIndex } : {}),
        level: SARIF_LEVEL[f.severity],
        message: { text: `${d.hostname}: ${f.title} (line ${f.line}: ${f.evidence})` },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri },
            region: { startLine: Math.max(1, f.line), snippet: { text: f.evidence } },
          },
        }],
        partialFingerprints: { 'tidewatch/v1': `${f.check}:${d.hostname}:${f.evidence}` },
        properties: { hostname: d.hostname, platform: d.platform, kind: f.kind, severity: f.severity, attack: f.attack },
      };
      if (f.previous) {
        result.relatedLocations = [{
          id: 1,
          message: { text: `baseline: ${f.previous.evidence}` },
          physicalLocation: { artifactLocation: { uri: sarifUri(f.previous.file, this.opts.base) }, region: { startLine: Math.max(1, f.previous.line) } },
        }];
      }
      s += (this.n++ ? ',' : '') + JSON.stringify(result);
    }
    return s;
  }
  end(errors: readonly AuditError[], summary: AuditSummary): string {
    const invocation = {
      executionSuccessful: true,
      toolExecutionNotifications: errors.map((e) => ({
        level: 'error',
        message: { text: e.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: sarifUri(e.file, this.opts.base) } } }],
      })),
    };
    return `],"invocations":[${JSON.stringify(invocation)}],"properties":${JSON.stringify({ summary })}}]}\n`;
  }
}

const SEV_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function cut(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** `--format table`: one block per device with findings, then errors and the summary. */
export class TableReportWriter implements ReportWriter {
  constructor(private readonly opts: { width?: number; quiet?: boolean } = {}) {}
  begin(): string { return ''; }
  device(d: DeviceReport): string {
    if (!d.findings.length && !d.baseline?.diff.length) return '';
    const rows = d.findings.map((f) => [f.severity.toUpperCase(), f.check, String(f.line), f.title, f.evidence]);
    const head = ['SEVERITY', 'CHECK', 'LINE', 'TITLE', 'EVIDENCE'];
    const max = [8, 34, 6, 60, 60];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(max[i], r[i].length))));
    const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? cut(c, max[i]) : cut(c, max[i]).padEnd(w[i]))).join('  ').trimEnd();
    let s = `\n${d.hostname} (${d.platform}) ${d.file}: ${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}\n`;
    if (rows.length) s += '  ' + line(head) + '\n' + rows.map((r) => '  ' + line(r)).join('\n') + '\n';
    if (d.baseline?.diff.length) {
      s += `  changes since ${d.baseline.file}:\n`;
      for (const x of d.baseline.diff) {
        s += `    [${x.section}]\n`;
        for (const r of x.removed) s += `      - ${r.line}: ${r.text}\n`;
        for (const a of x.added) s += `      + ${a.line}: ${a.text}\n`;
      }
    }
    return s;
  }
  end(errors: readonly AuditError[], summary: AuditSummary): string {
    let s = '';
    if (errors.length) {
      s += `\nNot audited (${errors.length}):\n`;
      for (const e of errors) s += `  ${e.file}: ${e.message}\n`;
    }
    const sev = SEV_ORDER.filter((k) => summary.by_severity[k]).map((k) => `${summary.by_severity[k]} ${k}`).join(', ');
    s += `\n${summary.devices} device${summary.devices === 1 ? '' : 's'} audited with ${summary.checks} checks: ${summary.findings} finding${summary.findings === 1 ? '' : 's'}`;
    s += sev ? ` (${sev})` : '';
    s += `; ${summary.by_kind.compromise} sign${summary.by_kind.compromise === 1 ? '' : 's'} of compromise, ${summary.by_kind.hardening} hardening gap${summary.by_kind.hardening === 1 ? '' : 's'}`;
    if (summary.baseline) s += `, ${summary.by_kind.drift} drift`;
    s += '.\n';
    s += `Site: ${summary.site ?? 'none (defaults)'}\n`;
    for (const a of summary.assumptions) s += `Assumed: ${a}\n`;
    for (const k of summary.skipped_checks) s += `Skipped ${k.check}: ${k.reason}\n`;
    return s;
  }
}
