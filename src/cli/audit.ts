import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { EXIT_ERROR, EXIT_FOUND, EXIT_OK, UsageError } from './exit.js';
import { parseFormat, writeOut, type OutputFormat } from './output.js';
import { Progress } from './progress.js';
import { loadSite } from '../site/load.js';
import { parseSeverity, severityRank, type Severity } from '../model/severity.js';
import { isPlatform, PLATFORMS, type AuditError, type Platform } from '../model/config.js';
import type { SiteConfig } from '../model/site.js';
import { auditFiles, builtinChecks, CheckError, loadChecks, SummaryBuilder, worstSeverity } from '../pipeline/audit.js';
import { loadIntelOption } from './intel.js';
import type { IndicatorMatcher } from '../pipeline/intel.js';
import {
  JsonlReportWriter, JsonReportWriter, SarifReportWriter, TableReportWriter, type ReportWriter,
} from '../sinks/audit-report.js';

export const VERSION = '0.1.0';

export interface RunAuditOptions {
  paths: string[];
  site: SiteConfig;
  baseline?: string[];
  format: OutputFormat;
  failOn: Severity | 'none';
  showSecrets: boolean;
  platform?: Platform;
  rules?: string;
  /** Threat-intel matcher (from --iocs / --intel): configured addresses matching an indicator become findings. */
  intel?: IndicatorMatcher;
}

/** Runs an audit and streams the report to stdout; returns the exit code. Shared by `audit` and `demo`. */
export async function runAudit(o: RunAuditOptions): Promise<number> {
  let checks;
  try {
    checks = o.rules ? loadChecks(o.rules) : builtinChecks();
  } catch (e) {
    if (e instanceof CheckError) throw new UsageError(`rule error: ${e.message}`);
    throw e;
  }
  const writer: ReportWriter =
    o.format === 'json' ? new JsonReportWriter()
      : o.format === 'jsonl' ? new JsonlReportWriter()
        : o.format === 'sarif' ? new SarifReportWriter(checks, { base: process.cwd(), baseline: Boolean(o.baseline?.length), version: VERSION })
          : new TableReportWriter();
  const sb = new SummaryBuilder(o.site, checks, o.baseline);
  const errors: AuditError[] = [];
  const progress = new Progress('audit');
  let failed = false;
  await writeOut(writer.begin());
  for await (const item of auditFiles(o.paths, { site: o.site, baseline: o.baseline, showSecrets: o.showSecrets, checks, platform: o.platform, intel: o.intel })) {
    sb.add(item);
    progress.tick(1, item.device?.file ?? item.error?.file);
    if (item.error) { errors.push(item.error); continue; }
    if (item.warning) errors.push(item.warning);
    const worst = worstSeverity(item.device.findings);
    if (o.failOn !== 'none' && worst && severityRank(worst) >= severityRank(o.failOn)) failed = true;
    const s = writer.device(item.device);
    if (s) await writeOut(s);
  }
  progress.end();
  await writeOut(writer.end(errors, sb.summary));
  if (sb.ioErrors) return EXIT_ERROR;
  return failed ? EXIT_FOUND : EXIT_OK;
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function register(program: Command): void {
  program
    .command('audit')
    .description('Audit device configurations (IOS, IOS XE, IOS XR, NX-OS, ASA, Junos, EOS) for hardening gaps, signs of compromise and drift')
    .argument('<path...>', 'configuration files or folders (recursive)')
    .option('--site <file>', 'site file (default ./tidewatch.yml if present)')
    .option('--baseline <old>', 'older snapshot (file or folder) to compare with: adds drift findings and per-section diffs (repeatable)', collect)
    .option('--fail-on <severity>', 'exit 1 when a finding reaches this severity (info|low|medium|high|critical|none)', 'high')
    .option('--format <format>', 'table|json|jsonl|sarif', 'table')
    .option('--show-secrets', 'print passwords, keys and communities instead of <redacted>', false)
    .option('--platform <name>', `parse every file as this platform (${PLATFORMS.join('|')}) instead of detecting it`)
    .option('--rules <dir>', 'check definitions to use instead of the built-in rules/config')
    .option('--iocs <file>', 'also match configured addresses (ACLs, tunnels, AAA/syslog/NTP/SNMP servers) against the indicators in this STIX/MISP/list file (repeatable)', collect)
    .option('--intel', 'also match configured addresses against the indicators imported into the store (tidewatch intel import)', false)
    .option('--data <dir>', 'data directory holding the store, for --intel')
    .addHelpText('after', `
Examples:
  tidewatch audit configs/                                  # table of findings per device
  tidewatch audit --site tidewatch.yml --format json configs/ > report.json
  tidewatch audit --format sarif configs/ > audit.sarif      # upload to code scanning
  tidewatch audit --baseline snapshots/2026-11-01 snapshots/2026-11-23
  tidewatch audit --fail-on critical --format jsonl router1.cfg | jq 'select(.type=="finding")'
  tidewatch audit --iocs rules/intel/salt-typhoon-public.txt --intel configs/   # INTEL-IOC findings

Exit status: 0 no finding reaches --fail-on (default high), 1 one does, 2 usage error or unreadable input.
Files that are not configurations are listed under "errors" and do not change the exit status.`)
    .action(async (paths: string[], opts: Record<string, string | string[] | boolean | undefined>) => {
      const format = parseFormat(opts.format as string, ['table', 'json', 'jsonl', 'sarif']);
      const fo = String(opts.failOn).toLowerCase();
      const failOn = fo === 'none' || fo === 'never' ? 'none' : parseSeverity(fo);
      if (!failOn) throw new UsageError(`--fail-on must be one of info, low, medium, high, critical, none (got "${opts.failOn}")`);
      const platform = opts.platform as string | undefined;
      if (platform !== undefined && !isPlatform(platform)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')} (got "${platform}")`);
      for (const p of [...paths, ...((opts.baseline as string[] | undefined) ?? [])]) {
        if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
      }
      const site = loadSite(opts.site as string | undefined);
      process.exitCode = await runAudit({
        paths,
        site,
        baseline: opts.baseline as string[] | undefined,
        format,
        failOn,
        showSecrets: Boolean(opts.showSecrets),
        platform: platform as Platform | undefined,
        rules: opts.rules as string | undefined,
        intel: await loadIntelOption({ iocs: opts.iocs as string[] | undefined, intel: Boolean(opts.intel), data: opts.data as string | undefined, site }),
      });
      if (process.exitCode === EXIT_ERROR) process.stderr.write('tidewatch: some inputs could not be read (see errors)\n');
    });
}
