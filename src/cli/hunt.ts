import type { Command } from 'commander';
import { loadIntelOption } from './intel.js';
import { loadSite } from '../site/load.js';
import { HuntEngine, huntFiles } from '../pipeline/hunt.js';
import { formatProblem, type Logsource } from '../detectors/sigma/index.js';
import { parseTimeValue } from '../parsers/index.js';
import { PLATFORMS, type Platform } from '../parsers/index.js';
import type { Alert } from '../model/alert.js';
import type { Event } from '../model/event.js';
import { JsonlWriter, parseFormat, renderTable, writeOut, warn } from './output.js';
import { EXIT_ERROR, EXIT_FOUND, EXIT_OK, UsageError } from './exit.js';
import { redactObject } from '../util/redact.js';

const LEVEL_OUT: Record<string, string> = { info: 'informational', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

/** `--since 2026-11-01T00:00:00Z`, epoch seconds/ms, or a duration back from now (`24h`, `7d`, `90m`). */
export function parseSince(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const rel = /^(\d+)(s|m|h|d|w)$/.exec(v.trim());
  if (rel) return Date.now() - Number(rel[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[rel[2] as 's']!;
  const t = parseTimeValue(v);
  if (t === undefined) throw new UsageError(`${name} must be an ISO 8601 time, epoch seconds/milliseconds or a duration like 24h (got "${v}")`);
  return t;
}

function parseLogsource(v: string | undefined): Logsource | undefined {
  if (!v) return undefined;
  const ls: Logsource = {};
  for (const part of v.split(',')) {
    const [k, x] = part.split('=').map((s) => s.trim());
    if (!['category', 'product', 'service'].includes(k) || !x) throw new UsageError(`--logsource takes category=..,product=..,service=.. (got "${v}")`);
    ls[k] = x.toLowerCase();
  }
  return ls;
}

/** The documented jsonl record of an alert (README, interfaces). */
export function alertRecord(a: Alert, showSecrets: boolean): Record<string, unknown> {
  const ev: Event = {};
  if (a.event) for (const k in a.event) if (a.event[k] !== undefined) ev[k] = a.event[k];
  const rec: Record<string, unknown> = {
    time: a.time,
    rule: { id: a.rule.id, title: a.rule.title, level: LEVEL_OUT[a.rule.level] ?? a.rule.level, tags: a.rule.tags, author: a.rule.author ?? null },
    source: { file: a.source?.file ?? null, line: a.source?.line ?? null },
    event: showSecrets ? ev : redactObject(ev),
  };
  if (a.correlation) rec.correlation = a.correlation;
  return rec;
}

export function register(program: Command): void {
  program
    .command('hunt')
    .description('Run Sigma rules (shipped, SigmaHQ or your own) over device syslog, TACACS+ accounting, jump-host logs and JSON Lines')
    .argument('<paths...>', 'log files or folders (every file under them; gzip detected by content); - reads stdin; several files are merged by event time')
    .option('--rules <path>', 'rule file or folder (repeatable); default: the shipped rules in rules/sigma', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--pipeline <name>', 'processing pipeline: a name in rules/pipelines/ or a file', 'tidewatch')
    .option('--format <fmt>', 'table | json | jsonl')
    .option('--since <time>', 'only events at or after this time (ISO 8601, epoch, or a duration back from now such as 24h)')
    .option('--until <time>', 'only events before this time')
    .option('--time-field <field>', 'JSON Lines: the field holding the event time (default @timestamp, timestamp, time)')
    .option('--platform <name>', `force the platform of the input lines (${PLATFORMS.join(', ')})`)
    .option('--logsource <spec>', 'logsource of JSON Lines events that carry none, e.g. product=zeek,service=dns')
    .option('--show-secrets', 'print passwords, keys and SNMP communities found in events instead of <redacted>')
    .option('--iocs <file>', 'also match every IP, domain, URL and hash in the events against these indicators (STIX 2.1 bundle, MISP event or list; repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--intel', 'also match the events against the indicators imported into the store (tidewatch intel import)')
    .option('--site <file>', 'site file (for --intel: its data directory)')
    .option('--data <dir>', 'data directory holding the store, for --intel')
    .addHelpText('after', `
Output (--format jsonl), one alert per line:
  {"time","rule":{"id","title","level","tags","author"},"source":{"file","line"},"event":{...},"correlation":{...}}
  rule.author is kept because the SigmaHQ rules' license (DRL 1.1) asks alerts to carry it; source.line is the
  1-based input line of the event (for a correlation: the event that completed it; "correlation" names the group,
  the window and the contributing events).

Exit status: 0 no alert, 1 alerts, 2 usage, input or rule errors (rule errors are printed to stderr; the other
rules still run).

Examples:
  tidewatch hunt logs/router*.log.gz
  tidewatch hunt --format jsonl --since 24h /var/log/tacacs/acct.log syslog/core-01.log
  tidewatch hunt --rules ../sigma/rules/network/cisco --rules rules/sigma --format table router.log
  zcat zeek-dns.json.gz | tidewatch hunt --logsource product=zeek,service=dns --rules sigma/rules/network/zeek -
  tidewatch hunt --iocs advisory.json --intel logs/     # Sigma rules plus indicator matches (rule.id = indicator id)`)
    .action(async (paths: string[], opts: { rules: string[]; pipeline: string; format?: string; since?: string; until?: string; timeField?: string; platform?: string; logsource?: string; showSecrets?: boolean; iocs?: string[]; intel?: boolean; site?: string; data?: string }) => {
      const format = parseFormat(opts.format, ['table', 'json', 'jsonl'], process.stdout.isTTY ? 'table' : 'jsonl');
      if (opts.platform && !(PLATFORMS as readonly string[]).includes(opts.platform)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')}`);
      const since = parseSince(opts.since, '--since');
      const until = parseSince(opts.until, '--until');
      let engine: HuntEngine;
      try {
        engine = new HuntEngine({ rules: opts.rules, pipeline: opts.pipeline, timeField: opts.timeField, defaultLogsource: parseLogsource(opts.logsource) });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      for (const p of engine.errors) warn(`rule rejected: ${formatProblem(p)}`);
      const intel = await loadIntelOption({ iocs: opts.iocs, intel: opts.intel, data: opts.data, site: opts.intel ? loadSite(opts.site) : undefined });
      if (intel) engine.addDetector((event, source) => intel.matchEvent(event, source));
      const writer = new JsonlWriter();
      const all: Alert[] = [];
      const showSecrets = Boolean(opts.showSecrets);
      const summary = await huntFiles(paths, {
        engine, since, until, platform: opts.platform as Platform | undefined, timeField: opts.timeField,
        onAlert: async (a) => {
          if (format === 'jsonl') await writer.write(alertRecord(a, showSecrets));
          else all.push(a);
        },
      });
      await writer.flush();
      if (format === 'json') await writeOut(JSON.stringify(all.map((a) => alertRecord(a, showSecrets)), null, 2) + '\n');
      else if (format === 'table') {
        if (all.length) {
          await writeOut(renderTable(all, [
            { header: 'time', get: (a) => a.time },
            { header: 'level', get: (a) => LEVEL_OUT[a.rule.level] ?? a.rule.level },
            { header: 'rule', get: (a) => a.rule.title, max: 60 },
            { header: 'host', get: (a) => a.device ?? '', max: 24 },
            { header: 'user', get: (a) => (a.event?.user as string | undefined) ?? '', max: 16 },
            { header: 'source', get: (a) => `${a.source?.file ?? ''}:${a.source?.line ?? ''}`, max: 40 },
            { header: 'attack', get: (a) => a.attack.join(',') },
          ]));
        } else await writeOut('no alerts\n');
      }
      for (const [p, why] of Object.entries(summary.failed)) warn(`${p}: ${why}`);
      process.stderr.write(`tidewatch hunt: ${engine.sigma.ruleCount} rules (${engine.errors.length} rejected), ${summary.lines} lines, ${summary.events} events, ${summary.unparsed} unparsed${summary.outOfRange ? `, ${summary.outOfRange} outside --since/--until` : ''}, ${summary.alerts} alerts\n`);
      const failed = Object.keys(summary.failed).length > 0 || engine.errors.length > 0;
      process.exitCode = failed ? EXIT_ERROR : summary.alerts ? EXIT_FOUND : EXIT_OK;
    });
}
