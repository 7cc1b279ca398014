/**
 * The incident report (`tidewatch report --incident ID`, `GET /api/v1/incidents/:id/report`): what a security
 * team hands to management and to law enforcement. Pure: an Incident and its alerts in, a string out.
 *
 * Sections: summary, ATT&CK techniques in kill-chain order, timeline, evidence (the log lines, config lines,
 * flow records and access-audit rows behind each alert, secrets redacted), affected devices, accounts and
 * addresses, remediation, state history. HTML is one self-contained file (no scripts, no external resources,
 * every value escaped) laid out for printing; Markdown and JSON carry the same content.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import type { Incident, IncidentStateChange } from '../model/incident.js';
import { severityRank, type Severity } from '../model/severity.js';
import { redactSecrets } from '../util/redact.js';

export const INCIDENT_REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type IncidentReportFormat = (typeof INCIDENT_REPORT_FORMATS)[number];

export interface IncidentReportOptions {
  /** When the report was made (ISO 8601); default now. */
  generatedAt?: string;
  /** The reporting organization (site file `organization`). */
  organization?: { name: string; contact?: string };
  /** Alerts shown in the evidence section (the most severe first when there are more); default 200. */
  maxEvidence?: number;
  /** Print secrets found in evidence (default: `<redacted>`). */
  showSecrets?: boolean;
  /** The tool and version named in the report. */
  generator?: string;
}

export type EvidenceKind = 'log' | 'config' | 'flow' | 'access' | 'other';

export interface EvidenceItem {
  alert_id: string;
  time: string;
  severity: Severity;
  detector: string;
  rule: string;
  title: string;
  device?: string;
  /** `file:line` (or `file:first-last`, `file` alone) of the evidence. */
  source?: string;
  kind: EvidenceKind;
  /** The evidence itself: raw log lines, config lines, a flow record, an access-audit row (secrets redacted). */
  lines: string[];
  reasons: string[];
  techniques: string[];
  indicator?: { value: string; source: string; confidence?: number; pattern: string };
}

export interface IncidentReport {
  report: { incident: string; generated_at: string; generator: string; organization?: { name: string; contact?: string }; evidence_sha256: string };
  title: string;
  summary: {
    text: string;
    severity: Severity;
    state: string;
    assignee?: string;
    first_seen: string;
    last_seen: string;
    duration: string;
    alerts: number;
    by_detector: Record<string, number>;
    by_severity: Partial<Record<Severity, number>>;
    tactics: string[];
    chains: string[];
    severity_reasons: string[];
    merged_into?: string;
  };
  techniques: { tactic: string; technique: string; name: string; first_seen?: string; alerts: number }[];
  timeline: { time: string; device?: string; tactic?: string; technique?: string; title: string; alert_id: string; severity?: Severity }[];
  evidence: EvidenceItem[];
  evidence_omitted: number;
  affected: { devices: string[]; accounts: string[]; addresses: string[]; indicator_matches: string[] };
  remediation: { steps: string[]; config: { device?: string; rule: string; title: string; lines: string }[] };
  history: IncidentStateChange[];
  notes: { by: string; at: string; text: string }[];
}

const TACTIC_NAMES: Record<string, string> = {
  'reconnaissance': 'Reconnaissance', 'resource-development': 'Resource development', 'initial-access': 'Initial access',
  'execution': 'Execution', 'persistence': 'Persistence', 'privilege-escalation': 'Privilege escalation',
  'defense-evasion': 'Defense evasion', 'credential-access': 'Credential access', 'discovery': 'Discovery',
  'lateral-movement': 'Lateral movement', 'collection': 'Collection', 'command-and-control': 'Command and control',
  'exfiltration': 'Exfiltration', 'impact': 'Impact',
};

export function tacticName(t: string | undefined): string {
  if (!t) return '';
  return TACTIC_NAMES[t] ?? t.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 58: 'icmpv6' };

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

function sourceText(a: Alert): string | undefined {
  const s = a.source;
  if (!s?.file) return undefined;
  if (s.line !== undefined) return `${s.file}:${s.line}`;
  if (s.lines?.length) {
    const ls = [...s.lines].sort((x, y) => x - y);
    return ls.length === 1 ? `${s.file}:${ls[0]}` : `${s.file}:${ls[0]}-${ls[ls.length - 1]} (${ls.length} lines)`;
  }
  return s.file;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);

/** What an alert's evidence is, and its lines as text (not yet redacted). */
export function evidenceOf(a: Alert): { kind: EvidenceKind; lines: string[] } {
  const ev = (a.event ?? {}) as Record<string, unknown>;
  if (a.detector === 'flows' || (typeof ev.protocol === 'number' && typeof ev.bytes === 'number')) {
    const p = typeof ev.protocol === 'number' ? (PROTO[ev.protocol] ?? `proto ${ev.protocol}`) : '?';
    const port = (x: unknown) => (typeof x === 'number' && x > 0 ? `:${x}` : '');
    const line = `${str(ev.time) ?? a.time}${ev.time_end ? ` to ${str(ev.time_end)}` : ''} ${p} ${str(ev.src_ip) ?? '?'}${port(ev.src_port)} -> ${str(ev.dst_ip) ?? '?'}${port(ev.dst_port)}`
      + `${typeof ev.bytes === 'number' ? `, ${ev.bytes} bytes` : ''}${typeof ev.packets === 'number' ? `, ${ev.packets} packets` : ''}${ev.host ? `, exporter ${str(ev.host)}` : ''}`;
    return { kind: 'flow', lines: [line] };
  }
  if (a.detector === 'access' || typeof ev.operator === 'string') {
    const keys = ['time', 'system', 'operator', 'action', 'targets', 'case_ref', 'result', 'src_host', 'src_ip', 'records', 'bytes', 'hour', 'events'];
    const parts = keys.filter((k) => ev[k] !== undefined && ev[k] !== '').map((k) => `${k}=${Array.isArray(ev[k]) ? (ev[k] as unknown[]).join(',') : String(ev[k])}`);
    return { kind: 'access', lines: [parts.join(' ')] };
  }
  if (a.detector === 'audit' || (a.source?.file ?? '').includes('configs/')) {
    const line = str(ev.message);
    return { kind: 'config', lines: line ? [`${a.source?.line !== undefined ? `${a.source.line}: ` : ''}${line}`] : [] };
  }
  const raw = str(ev.raw) ?? str(ev.message);
  // Sigma correlations: the event that completed it, then the contributing events by time, file and line
  const corr = a.correlation as { events?: { time?: string; rule?: string; file?: string; line?: number }[] } | undefined;
  if (corr?.events?.length) {
    const refs = corr.events.map((e) => [e.time ?? '', e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : '', e.rule ? `(${e.rule})` : ''].filter(Boolean).join('  '));
    return { kind: 'log', lines: [...(raw ? [raw, ''] : []), `${corr.events.length} contributing events:`, ...refs] };
  }
  if (raw) return { kind: 'log', lines: [raw] };
  const fields = Object.entries(ev).filter(([, v]) => v !== undefined && typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`);
  return { kind: 'other', lines: fields.length ? [fields.join(' ')] : [] };
}

/** The report's content, the same for every format. */
export function buildIncidentReport(inc: Incident, alertsIn: readonly Alert[], opts: IncidentReportOptions = {}): IncidentReport {
  const redact = opts.showSecrets ? (s: string) => s : redactSecrets;
  const max = opts.maxEvidence ?? 200;
  const ids = new Set(inc.alert_ids);
  const alerts = alertsIn.filter((a) => ids.size === 0 || ids.has(a.id));
  const byId = new Map(alerts.map((a) => [a.id, a]));

  const byDetector: Record<string, number> = {};
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const a of alerts) {
    byDetector[a.detector] = (byDetector[a.detector] ?? 0) + 1;
    bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
  }

  const techniques = inc.techniques.map((t) => {
    const with_ = alerts.filter((a) => a.attack.includes(t.technique));
    const first = with_.length ? with_.reduce((m, a) => (a.time < m ? a.time : m), with_[0].time) : undefined;
    return { tactic: t.tactic, technique: t.technique, name: t.name ?? t.technique, first_seen: first, alerts: with_.length };
  });
  const tactics = [...new Set(inc.techniques.map((t) => t.tactic))];

  const timeline = [...inc.timeline]
    .sort((a, b) => a.time.localeCompare(b.time))
    .map((e) => ({ time: e.time, device: e.device, tactic: e.tactic, technique: e.technique, title: redact(e.title), alert_id: e.alert_id, severity: byId.get(e.alert_id)?.severity }));

  // evidence: the most severe alerts when there are more than `max`, shown in time order
  const chosen = [...alerts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.time.localeCompare(b.time)).slice(0, max);
  chosen.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  const evidence: EvidenceItem[] = chosen.map((a) => {
    const e = evidenceOf(a);
    const item: EvidenceItem = {
      alert_id: a.id, time: a.time, severity: a.severity, detector: a.detector, rule: a.rule.id, title: redact(a.rule.title),
      device: a.device, source: sourceText(a), kind: e.kind, lines: e.lines.map(redact), reasons: (a.reasons ?? []).map(redact), techniques: a.attack.filter((x) => x.startsWith('T')),
    };
    if (a.indicator) item.indicator = { value: a.indicator.value, source: a.indicator.source, confidence: a.indicator.confidence, pattern: a.indicator.pattern };
    return item;
  });

  const indicatorMatches = [...new Set(alerts.filter((a) => a.indicator).map((a) => a.indicator!.value))].sort();
  const configFixes: IncidentReport['remediation']['config'] = [];
  const seenFix = new Set<string>();
  for (const a of [...alerts].sort((x, y) => x.time.localeCompare(y.time))) {
    if (!a.remediation?.trim()) continue;
    const k = `${a.device ?? ''}\u0000${a.remediation.trim()}`;
    if (seenFix.has(k)) continue;
    seenFix.add(k);
    configFixes.push({ device: a.device, rule: a.rule.id, title: redact(a.rule.title), lines: redact(a.remediation.trim()) });
  }

  const first = Date.parse(inc.first_seen);
  const last = Date.parse(inc.last_seen);
  const list = (xs: readonly string[], n = 5) => (xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')} and ${xs.length - n} more`);
  const det = Object.entries(byDetector).sort((a, b) => b[1] - a[1]).map(([d, n]) => `${DETECTOR_NAMES[d] ?? d} (${n})`);
  const sentences = [
    `${inc.title}.`,
    `Between ${fmtTime(inc.first_seen)} and ${fmtTime(inc.last_seen)} (${duration(last - first)}), Tidewatch correlated ${alerts.length} alert${alerts.length === 1 ? '' : 's'} from ${det.join(', ') || 'no detector'} into this incident.`,
    inc.devices.length ? `Devices involved: ${list(inc.devices)}.` : '',
    inc.accounts.length ? `Accounts used: ${list(inc.accounts)}.` : '',
    tactics.length ? `The activity covers ${tactics.length} stage${tactics.length === 1 ? '' : 's'} of the ATT&CK kill chain: ${tactics.map(tacticName).join(' → ')}.` : '',
    inc.chains?.length ? `It completes the known attack chain${inc.chains.length === 1 ? '' : 's'} ${inc.chains.map((c) => `“${c.title}”`).join(', ')}.` : '',
    indicatorMatches.length ? `Addresses or names on threat-intelligence lists: ${list(indicatorMatches)}.` : '',
    `Severity ${inc.severity}${inc.severity_reasons?.length ? ` (${inc.severity_reasons.join('; ')})` : ''}; state ${inc.state.replace('_', ' ')}${inc.assignee ? `, assigned to ${inc.assignee}` : ''}.`,
    inc.merged_into ? `This incident was merged into ${inc.merged_into}.` : '',
  ].filter(Boolean);

  const body: Omit<IncidentReport, 'report'> = {
    title: redact(inc.title),
    summary: {
      text: redact(sentences.join(' ')),
      severity: inc.severity, state: inc.state, assignee: inc.assignee,
      first_seen: inc.first_seen, last_seen: inc.last_seen, duration: duration(last - first),
      alerts: alerts.length, by_detector: byDetector, by_severity: bySeverity, tactics,
      chains: (inc.chains ?? []).map((c) => c.title), severity_reasons: inc.severity_reasons ?? [], merged_into: inc.merged_into,
    },
    techniques,
    timeline,
    evidence,
    evidence_omitted: alerts.length - evidence.length,
    affected: { devices: [...inc.devices], accounts: [...inc.accounts], addresses: [...inc.ips], indicator_matches: indicatorMatches },
    remediation: { steps: inc.remediation.map(redact), config: configFixes },
    history: inc.history,
    notes: inc.notes.map((n) => ({ ...n, text: redact(n.text) })),
  };
  const digest = createHash('sha256').update(JSON.stringify(evidence)).digest('hex');
  return {
    report: { incident: inc.id, generated_at: opts.generatedAt ?? new Date().toISOString(), generator: opts.generator ?? 'Tidewatch', organization: opts.organization, evidence_sha256: digest },
    ...body,
  };
}

const DETECTOR_NAMES: Record<string, string> = {
  audit: 'config audit', sigma: 'log hunting (Sigma)', flows: 'flow analytics', intel: 'threat-intel matching', access: 'LI/call-record access monitoring',
};

function fmtTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** Renders the report in one of the formats. */
export function renderIncidentReport(inc: Incident, alerts: readonly Alert[], format: IncidentReportFormat, opts: IncidentReportOptions = {}): string {
  const r = buildIncidentReport(inc, alerts, opts);
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (format === 'md') return renderMarkdown(r);
  return renderHtml(r);
}

export const CONTENT_TYPES: Record<IncidentReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** The HTTP API's report capability: content type and body. */
export function incidentReportResponse(inc: Incident, alerts: Alert[], format: IncidentReportFormat, opts: IncidentReportOptions = {}): { contentType: string; body: string } {
  return { contentType: CONTENT_TYPES[format], body: renderIncidentReport(inc, alerts, format, opts) };
}

// ---- HTML ------------------------------------------------------------------------------------------------

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); margin: 2rem auto; max-width: 62rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 0 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: var(--bg2); }
thead { display: table-header-group; }
tr, .evidence { break-inside: avoid; page-break-inside: avoid; }
pre { background: var(--bg2); border: 1px solid var(--line); padding: .4rem .6rem; white-space: pre-wrap; word-break: break-all; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; margin: .3rem 0; }
.meta td:first-child { width: 11rem; color: var(--muted); }
#timeline td:first-child, #history td:first-child, #techniques td:nth-child(4) { white-space: nowrap; }
.muted { color: var(--muted); }
.sev { display: inline-block; padding: 0 .45rem; border-radius: .25rem; font-weight: 600; font-size: 12px; color: #fff; }
.sev-critical { background: #8b0000; } .sev-high { background: #c2410c; } .sev-medium { background: #a16207; } .sev-low { background: #1d4ed8; } .sev-info { background: #57606a; }
.evidence { border: 1px solid var(--line); border-left: 4px solid var(--line); padding: .5rem .7rem; margin: .6rem 0; }
.evidence.sev-critical-b { border-left-color: #8b0000; } .evidence.sev-high-b { border-left-color: #c2410c; }
.chain { font-weight: 600; }
footer { margin-top: 2.5rem; border-top: 1px solid var(--line); padding-top: .5rem; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 16mm 14mm; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; page-break-after: avoid; } a { color: inherit; text-decoration: none; } }
`;

function sev(s: Severity | undefined): string {
  return s ? `<span class="sev sev-${escapeHtml(s)}">${escapeHtml(s)}</span>` : '';
}

function htmlTable(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n`
    + rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')
    + `\n</tbody></table>`;
}

function htmlList(xs: readonly string[], empty = 'none'): string {
  return xs.length ? `<ul>${xs.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : `<p class="muted">${escapeHtml(empty)}</p>`;
}

function renderHtml(r: IncidentReport): string {
  const e = escapeHtml;
  const s = r.summary;
  const out: string[] = [];
  out.push('<!DOCTYPE html>');
  out.push('<html lang="en">');
  out.push(`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="${e(r.report.generator)}"><title>${e(`Incident ${r.report.incident}: ${r.title}`)}</title><style>${CSS}</style></head>`);
  out.push('<body>');
  out.push('<header>');
  out.push(`<p class="muted">Incident report${r.report.organization ? ` · ${e(r.report.organization.name)}` : ''} · ${e(r.report.incident)}</p>`);
  out.push(`<h1>${e(r.title)}</h1>`);
  out.push('<table class="meta"><tbody>');
  const meta: [string, string][] = [
    ['Severity', sev(s.severity)],
    ['State', e(s.state.replace('_', ' ')) + (s.assignee ? ` (assigned to ${e(s.assignee)})` : '')],
    ['First seen', e(fmtTime(s.first_seen))],
    ['Last seen', e(fmtTime(s.last_seen))],
    ['Duration', e(s.duration)],
    ['Alerts', e(`${s.alerts} (${Object.entries(s.by_detector).map(([d, n]) => `${d} ${n}`).join(', ')})`)],
    ['Report generated', e(fmtTime(r.report.generated_at))],
  ];
  if (r.report.organization?.contact) meta.push(['Contact', e(r.report.organization.contact)]);
  for (const [k, v] of meta) out.push(`<tr><td>${e(k)}</td><td>${v}</td></tr>`);
  out.push('</tbody></table>');
  out.push('</header>');

  out.push('<main>');
  out.push('<section id="summary"><h2>Summary</h2>');
  out.push(`<p>${e(s.text)}</p>`);
  if (s.tactics.length) out.push(`<p class="chain">${s.tactics.map((t) => e(tacticName(t))).join(' → ')}</p>`);
  out.push('</section>');

  out.push('<section id="techniques"><h2>ATT&amp;CK techniques, in kill-chain order</h2>');
  out.push(r.techniques.length
    ? htmlTable(['Tactic', 'Technique', 'Name', 'First seen', 'Alerts'], r.techniques.map((t) => [e(tacticName(t.tactic)), e(t.technique), e(t.name), e(t.first_seen ? fmtTime(t.first_seen) : '-'), e(t.alerts)]))
    : '<p class="muted">No ATT&amp;CK technique is tagged on these alerts.</p>');
  out.push('</section>');

  out.push('<section id="timeline"><h2>Timeline</h2>');
  out.push(htmlTable(['Time (UTC)', 'Severity', 'Device', 'Tactic', 'Technique', 'What'], r.timeline.map((t) => [
    e(fmtTime(t.time).replace(' UTC', '')), sev(t.severity), e(t.device ?? ''), e(tacticName(t.tactic)), e(t.technique ?? ''), e(t.title),
  ])));
  out.push('</section>');

  out.push('<section id="evidence"><h2>Evidence</h2>');
  out.push(`<p class="muted">The records behind each alert, as received (secrets in configuration and command text are shown as &lt;redacted&gt;).${r.evidence_omitted ? ` ${e(r.evidence_omitted)} less severe alerts are not listed; the API and the console have them all.` : ''} SHA-256 of the evidence below: <code>${e(r.report.evidence_sha256)}</code>.</p>`);
  r.evidence.forEach((x, i) => {
    out.push(`<article class="evidence sev-${e(x.severity)}-b" id="e${i + 1}">`);
    out.push(`<h3>${e(`E${i + 1}`)} ${sev(x.severity)} ${e(x.title)}</h3>`);
    const facts = [
      `${e(fmtTime(x.time))}`, x.device ? `device ${e(x.device)}` : '', `${e(DETECTOR_NAMES[x.detector] ?? x.detector)}, rule ${e(x.rule)}`,
      x.techniques.length ? e(x.techniques.join(', ')) : '', x.source ? `source ${e(x.source)}` : '', `alert ${e(x.alert_id)}`,
    ].filter(Boolean);
    out.push(`<p class="muted">${facts.join(' · ')}</p>`);
    if (x.lines.length) out.push(`<pre>${e(x.lines.join('\n'))}</pre>`);
    if (x.indicator) out.push(`<p>Indicator: ${e(x.indicator.value)} from ${e(x.indicator.source)}${x.indicator.confidence !== undefined ? `, confidence ${e(x.indicator.confidence)}` : ''} (<code>${e(x.indicator.pattern)}</code>)</p>`);
    if (x.reasons.length) out.push(htmlList(x.reasons));
    out.push('</article>');
  });
  out.push('</section>');

  out.push('<section id="affected"><h2>Affected devices, accounts and addresses</h2>');
  out.push(htmlTable(['Devices', 'Accounts', 'Addresses', 'On threat-intel lists'], [[
    htmlList(r.affected.devices), htmlList(r.affected.accounts), htmlList(r.affected.addresses), htmlList(r.affected.indicator_matches),
  ]]));
  out.push('</section>');

  out.push('<section id="remediation"><h2>Remediation</h2>');
  out.push(r.remediation.steps.length ? `<ol>${r.remediation.steps.map((x) => `<li>${e(x)}</li>`).join('')}</ol>` : '<p class="muted">No remediation steps recorded.</p>');
  if (r.remediation.config.length) {
    out.push('<h3>Configuration and device changes</h3>');
    for (const c of r.remediation.config) out.push(`<p>${e(c.device ?? 'any device')}: ${e(c.title)} <span class="muted">(${e(c.rule)})</span></p><pre>${e(c.lines)}</pre>`);
  }
  out.push('</section>');

  out.push('<section id="history"><h2>State history and notes</h2>');
  out.push(htmlTable(['When (UTC)', 'State', 'By', 'Note'], r.history.map((h) => [e(fmtTime(h.at).replace(' UTC', '')), e(h.state.replace('_', ' ')), e(h.by), e(h.note ?? '')])));
  if (r.notes.length) out.push(htmlTable(['When (UTC)', 'By', 'Note'], r.notes.map((n) => [e(fmtTime(n.at).replace(' UTC', '')), e(n.by), e(n.text)])));
  out.push('</section>');
  out.push('</main>');

  out.push(`<footer>Generated by ${e(r.report.generator)} on ${e(fmtTime(r.report.generated_at))} for incident ${e(r.report.incident)}. Times are UTC. Evidence SHA-256 ${e(r.report.evidence_sha256)}.</footer>`);
  out.push('</body>');
  out.push('</html>');
  return out.join('\n') + '\n';
}

// ---- Markdown --------------------------------------------------------------------------------------------

/** Text for Markdown prose and table cells: HTML and Markdown syntax made literal, one line. */
export function escapeMd(s: unknown): string {
  return String(s ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1');
}

function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}

function mdTable(headers: string[], rows: string[][]): string {
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function renderMarkdown(r: IncidentReport): string {
  const m = escapeMd;
  const s = r.summary;
  const out: string[] = [];
  out.push(`# Incident ${m(r.report.incident)}: ${m(r.title)}`);
  out.push('');
  out.push(mdTable(['', ''], [
    ['Severity', m(s.severity)],
    ['State', m(s.state.replace('_', ' ')) + (s.assignee ? ` (assigned to ${m(s.assignee)})` : '')],
    ['First seen', m(fmtTime(s.first_seen))],
    ['Last seen', m(fmtTime(s.last_seen))],
    ['Duration', m(s.duration)],
    ['Alerts', m(`${s.alerts} (${Object.entries(s.by_detector).map(([d, n]) => `${d} ${n}`).join(', ')})`)],
    ['Report generated', m(fmtTime(r.report.generated_at)) + (r.report.organization ? ` by ${m(r.report.organization.name)}` : '')],
  ]));
  out.push('', '## Summary', '', m(s.text));
  if (s.tactics.length) out.push('', `**${s.tactics.map((t) => m(tacticName(t))).join(' → ')}**`);
  out.push('', '## ATT&CK techniques, in kill-chain order', '');
  out.push(r.techniques.length
    ? mdTable(['Tactic', 'Technique', 'Name', 'First seen', 'Alerts'], r.techniques.map((t) => [m(tacticName(t.tactic)), m(t.technique), m(t.name), m(t.first_seen ? fmtTime(t.first_seen) : '-'), m(t.alerts)]))
    : 'No ATT&CK technique is tagged on these alerts.');
  out.push('', '## Timeline', '');
  out.push(mdTable(['Time (UTC)', 'Severity', 'Device', 'Tactic', 'Technique', 'What'], r.timeline.map((t) => [
    m(fmtTime(t.time).replace(' UTC', '')), m(t.severity ?? ''), m(t.device ?? ''), m(tacticName(t.tactic)), m(t.technique ?? ''), m(t.title),
  ])));
  out.push('', '## Evidence', '');
  out.push(`The records behind each alert, as received (secrets shown as &lt;redacted&gt;).${r.evidence_omitted ? ` ${r.evidence_omitted} less severe alerts are not listed.` : ''} SHA-256 of the evidence: \`${r.report.evidence_sha256}\`.`);
  r.evidence.forEach((x, i) => {
    out.push('', `### E${i + 1} (${m(x.severity)}) ${m(x.title)}`, '');
    out.push([m(fmtTime(x.time)), x.device ? `device ${m(x.device)}` : '', `${m(DETECTOR_NAMES[x.detector] ?? x.detector)}, rule ${m(x.rule)}`,
      x.techniques.length ? m(x.techniques.join(', ')) : '', x.source ? `source ${m(x.source)}` : '', `alert ${m(x.alert_id)}`].filter(Boolean).join(' · '));
    if (x.lines.length) out.push('', fence(x.lines.join('\n')));
    if (x.indicator) out.push('', `Indicator: ${m(x.indicator.value)} from ${m(x.indicator.source)}${x.indicator.confidence !== undefined ? `, confidence ${x.indicator.confidence}` : ''}`);
    if (x.reasons.length) out.push('', ...x.reasons.map((y) => `- ${m(y)}`));
  });
  out.push('', '## Affected devices, accounts and addresses', '');
  out.push(`- Devices: ${r.affected.devices.map(m).join(', ') || 'none'}`);
  out.push(`- Accounts: ${r.affected.accounts.map(m).join(', ') || 'none'}`);
  out.push(`- Addresses: ${r.affected.addresses.map(m).join(', ') || 'none'}`);
  out.push(`- On threat-intel lists: ${r.affected.indicator_matches.map(m).join(', ') || 'none'}`);
  out.push('', '## Remediation', '');
  out.push(r.remediation.steps.length ? r.remediation.steps.map((x, i) => `${i + 1}. ${m(x)}`).join('\n') : 'No remediation steps recorded.');
  if (r.remediation.config.length) {
    out.push('', '### Configuration and device changes');
    for (const c of r.remediation.config) out.push('', `${m(c.device ?? 'any device')}: ${m(c.title)} (${m(c.rule)})`, '', fence(c.lines));
  }
  out.push('', '## State history and notes', '');
  out.push(mdTable(['When (UTC)', 'State', 'By', 'Note'], r.history.map((h) => [m(fmtTime(h.at).replace(' UTC', '')), m(h.state.replace('_', ' ')), m(h.by), m(h.note ?? '')])));
  for (const n of r.notes) out.push('', `- ${m(fmtTime(n.at))}, ${m(n.by)}: ${m(n.text)}`);
  out.push('', '---', '', `Generated by ${m(r.report.generator)} on ${m(fmtTime(r.report.generated_at))}. Times are UTC. Evidence SHA-256 \`${r.report.evidence_sha256}\`.`);
  return out.join('\n') + '\n';
}
