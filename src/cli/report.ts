import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { dataDir, loadSite } from '../site/load.js';
import type { SiteConfig } from '../model/site.js';
import { openStore } from '../store/open.js';
import { INCIDENT_REPORT_FORMATS, renderIncidentReport, type IncidentReportFormat } from '../sinks/incident-report.js';
import { UsageError } from './exit.js';
import { writeOut } from './output.js';

export interface ReportRequest {
  incident: string;
  /** Data directory holding the embedded store. */
  data: string;
  /** Exact store file (default DATA/tidewatch.duckdb). */
  db?: string;
  format: IncidentReportFormat;
  site?: SiteConfig;
  showSecrets?: boolean;
  generatedAt?: string;
}

/** Reads the incident and its alerts from the embedded store and renders the report. Unknown incident: UsageError. */
export async function incidentReport(req: ReportRequest): Promise<string> {
  const file = req.db ?? join(req.data, 'tidewatch.duckdb');
  if (!existsSync(file)) throw new UsageError(`no store at ${file} (give --data DIR: the data directory of \`tidewatch serve\` or \`tidewatch drill score\`)`);
  const store = await openStore({ data: req.data, db: req.db });
  try {
    const inc = await store.getIncident(req.incident);
    if (!inc) {
      const some = (await store.listIncidents({ limit: 5, order: 'severity' })).items;
      const hint = some.length ? `; the most severe there: ${some.map((i) => `${i.id} (${i.severity})`).join(', ')}` : '; it holds no incidents';
      throw new UsageError(`no incident ${req.incident} in ${file}${hint}`);
    }
    const alerts = await store.getAlerts(inc.alert_ids);
    return renderIncidentReport(inc, alerts, req.format, {
      organization: req.site?.organization, showSecrets: req.showSecrets, generatedAt: req.generatedAt, generator: 'Tidewatch 0.1.0',
    });
  } finally {
    await store.close();
  }
}

function formatOf(fmt: string | undefined, out: string | undefined): IncidentReportFormat {
  if (fmt === undefined) {
    const ext = out ? extname(out).toLowerCase() : '';
    if (ext === '.html' || ext === '.htm') return 'html';
    if (ext === '.json') return 'json';
    return 'md';
  }
  if (!(INCIDENT_REPORT_FORMATS as readonly string[]).includes(fmt)) throw new UsageError(`--format must be one of ${INCIDENT_REPORT_FORMATS.join(', ')} (got "${fmt}")`);
  return fmt as IncidentReportFormat;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('Write an incident report for management and law enforcement: summary, timeline, ATT&CK techniques, evidence, remediation')
    .requiredOption('--incident <id>', 'incident id (INC-...), as the console, the API or `tidewatch drill score` show it')
    .option('--format <fmt>', `${INCIDENT_REPORT_FORMATS.join('|')} (default: from the --out extension, else md)`)
    .option('--out <file>', 'write the report to this file instead of stdout')
    .option('--site <file>', 'site file (its organization names the reporter; default ./tidewatch.yml if present)')
    .option('--data <dir>', 'data directory holding the store (default: data: in the site file, else ./.tidewatch)')
    .option('--db <file>', 'the store file itself (default DATA/tidewatch.duckdb)')
    .option('--show-secrets', 'print secrets found in the evidence instead of <redacted>')
    .addHelpText('after', `
The HTML report is one self-contained file (no scripts, no external resources) laid out for printing; Markdown
and JSON carry the same sections. The same report is served at GET /api/v1/incidents/ID/report?format=html|md|json.

Examples:
  tidewatch report --data /tmp/drill/.tidewatch --incident INC-e63f937e8cd4 --out incident.html
  tidewatch report --site tidewatch.yml --incident INC-e63f937e8cd4 --format md | less
  tidewatch report --incident INC-e63f937e8cd4 --format json | jq '.techniques[].technique'

Exit status: 0 report written, 2 unknown incident, missing store or usage error.`)
    .action(async (o: { incident: string; format?: string; out?: string; site?: string; data?: string; db?: string; showSecrets?: boolean }) => {
      const format = formatOf(o.format, o.out);
      const site = loadSite(o.site);
      const text = await incidentReport({ incident: o.incident, data: dataDir(o.data, site), db: o.db, format, site, showSecrets: o.showSecrets });
      if (o.out) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, text);
        process.stderr.write(`tidewatch: wrote the ${format} report of ${o.incident} to ${o.out}\n`);
      } else await writeOut(text);
    });
}
