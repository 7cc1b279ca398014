import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_FOUND, EXIT_OK, UsageError } from './exit.js';
import { JsonlWriter, parseFormat, renderTable, warn, writeOut } from './output.js';
import { Progress } from './progress.js';
import { dataDir, loadSite } from '../site/load.js';
import { openStore } from '../store/open.js';
import type { Alert } from '../model/alert.js';
import { ACCESS_ALERT_KINDS } from '../model/access.js';
import { AccessMappingError, WarrantFileError } from '../parsers/access.js';
import {
  AccessMonitor, accessAlertRecord, learnModels, loadAccessMapping, loadModels, loadWarrants, operatorProfile,
  readAccessFiles, saveModels, type AccessMapping, type AccessReadResult,
} from '../pipeline/access.js';

type Opts = Record<string, string | string[] | boolean | undefined>;

function mappingOpt(opts: Opts): AccessMapping | undefined {
  if (!opts.mapping) return undefined;
  try {
    return loadAccessMapping(opts.mapping as string);
  } catch (e) {
    if (e instanceof AccessMappingError) throw new UsageError(`mapping error: ${e.message}`);
    throw e;
  }
}

async function read(paths: string[], mapping: AccessMapping | undefined): Promise<AccessReadResult> {
  for (const p of paths) if (p !== '-' && !existsSync(p)) throw new UsageError(`${p}: no such file`);
  const progress = new Progress('reading', paths.length);
  let res: AccessReadResult;
  try {
    res = await readAccessFiles(paths, mapping, { maxErrors: 1000 });
  } catch (e) {
    throw new UsageError((e as Error).message);
  } finally {
    progress.end();
  }
  const shown = 20;
  for (const err of res.errors.slice(0, shown)) warn(`${err.source.file}:${err.source.line}: ${err.error}`);
  if (res.counts.errors > shown) warn(`... and ${res.counts.errors - shown} more rows that did not map`);
  return res;
}

/** Rows that did not map are warnings, but a file where nothing maps at all is an input error (likely the wrong mapping). */
function unusable(res: AccessReadResult): string[] {
  return res.counts.per_file.filter((f) => f.events === 0 && f.errors > 0).map((f) => f.file);
}

function storeFile(opts: Opts, data: string): string {
  return (opts.db as string | undefined) ?? join(data, 'tidewatch.duckdb');
}

export function register(program: Command): void {
  const access = program
    .command('access')
    .description('Lawful-intercept and call-record access monitoring: learn each operator\'s normal use, flag abuse with reasons');

  access
    .command('learn')
    .description('Learn the per-operator behaviour models from audit history and store them')
    .requiredOption('--history <files...>', 'audit history files (JSON Lines or CSV; gzip ok)')
    .option('--mapping <name|file>', 'field mapping: jsonl, csv, a name in rules/access/, or a YAML file (default: by file extension)')
    .option('--site <file>', 'site file (default ./tidewatch.yml if present)')
    .option('--data <dir>', 'data directory holding the store (default: data: in the site file, else ./.tidewatch)')
    .option('--db <file>', 'the store file itself (default DATA/tidewatch.duckdb)')
    .option('--format <format>', 'table|json', 'table')
    .addHelpText('after', `
Examples:
  tidewatch access learn --history audit/2026-0[1-3]*.jsonl
  tidewatch access learn --mapping cdr-vendor-csv --history exports/cdr-audit-q1.csv.gz
  tidewatch access learn --data /var/lib/tidewatch --format json --history li-admin.jsonl cdr.jsonl

Learning replaces the models stored before. Method and parameters: docs/ACCESS.md.
Exit status: 0 models stored, 2 usage or input error (a file that cannot be read, or of which no row maps).`)
    .action(async (opts: Opts) => {
      const format = parseFormat(opts.format as string, ['table', 'json']);
      const site = loadSite(opts.site as string | undefined);
      const mapping = mappingOpt(opts);
      const paths = opts.history as string[];
      const res = await read(paths, mapping);
      const bad = unusable(res);
      if (bad.length) throw new UsageError(`no row of ${bad.join(', ')} maps onto the access model (wrong --mapping?)`);
      if (!res.records.length) throw new UsageError('the history holds no events');
      const models = learnModels(res.records);
      const data = dataDir(opts.data as string | undefined, site);
      const store = await openStore({ data, db: opts.db as string | undefined });
      try {
        await saveModels(store, models);
      } finally {
        await store.close();
      }
      const ops = Object.values(models.operators).sort((a, b) => a.operator.localeCompare(b.operator));
      const summary = {
        stored: storeFile(opts, data),
        events: res.counts.events,
        rejected_rows: res.counts.errors,
        operators: ops.length,
        from: models.history.from,
        until: models.history.until,
        params: models.params,
        profiles: ops.map(operatorProfile),
      };
      if (format === 'json') {
        await writeOut(JSON.stringify(summary, null, 2) + '\n');
      } else {
        await writeOut(renderTable(summary.profiles, [
          { header: 'operator', get: (p) => p.operator },
          { header: 'active h', get: (p) => p.active_hours },
          { header: 'weeks', get: (p) => p.weeks },
          { header: 'usual hours', get: (p) => p.usual_hours, max: 60 },
          { header: 'p99 searches/h', get: (p) => p.p99.searches_per_hour },
          { header: 'p99 targets/h', get: (p) => p.p99.targets_per_hour },
          { header: 'p99 targets/day', get: (p) => p.p99.targets_per_day },
          { header: 'sources', get: (p) => p.sources.join(','), max: 40 },
          { header: 'systems', get: (p) => p.systems.join(',') },
        ]));
        process.stderr.write(`tidewatch: learned ${ops.length} operators from ${res.counts.events} events (${models.history.from} to ${models.history.until}); stored in ${summary.stored}\n`);
      }
      process.exitCode = EXIT_OK;
    });

  access
    .command('check')
    .description('Check access-audit activity against the warrant register, the site file and the learned behaviour models')
    .argument('<files...>', 'audit files to check (JSON Lines or CSV; gzip ok; - for stdin)')
    .option('--warrants <file>', 'warrant register (JSON or CSV)')
    .option('--site <file>', 'site file with the access section (default ./tidewatch.yml if present)')
    .option('--data <dir>', 'data directory holding the store with the learned models')
    .option('--db <file>', 'the store file itself (default DATA/tidewatch.duckdb)')
    .option('--mapping <name|file>', 'field mapping: jsonl, csv, a name in rules/access/, or a YAML file (default: by file extension)')
    .option('--format <format>', 'table|json|jsonl', 'table')
    .option('--threshold <score>', 'behaviour anomaly score that raises an alert (default: the learned models\' threshold, 1)')
    .option('--no-models', 'apply only the rules, not the behaviour models')
    .option('--show-targets', 'print target identifiers in full (default: masked)', false)
    .option('--save', 'also store the alerts in the store (for the service and the console)', false)
    .addHelpText('after', `
Examples:
  tidewatch access check --warrants warrants.json audit/today.jsonl
  tidewatch access check --site tidewatch.yml --warrants warrants.csv --format jsonl audit/*.jsonl | jq -c 'select(.kind=="no_warrant")'
  tidewatch access check --mapping cdr-vendor-csv --no-models exports/cdr-audit.csv

Alert kinds: ${ACCESS_ALERT_KINDS.join(', ')}.
JSON Lines output: one alert per line with kind, severity, reasons, operator, time and source {file,line}
(anomalies over a period: source {file,lines}); see docs/ACCESS.md.
Exit status: 0 nothing found, 1 alerts, 2 usage, input, mapping or warrant-register error.`)
    .action(async (files: string[], opts: Opts) => {
      const format = parseFormat(opts.format as string, ['table', 'json', 'jsonl']);
      let threshold: number | undefined;
      if (opts.threshold !== undefined) {
        threshold = Number(opts.threshold);
        if (!Number.isFinite(threshold) || threshold <= 0) throw new UsageError(`--threshold must be a positive number (got "${opts.threshold}")`);
      }
      const site = loadSite(opts.site as string | undefined);
      const mapping = mappingOpt(opts);
      let warrants;
      if (opts.warrants) {
        try {
          warrants = await loadWarrants(opts.warrants as string);
        } catch (e) {
          if (e instanceof WarrantFileError) throw new UsageError(`warrant register: ${e.message}`);
          throw new UsageError((e as Error).message);
        }
      }
      const data = dataDir(opts.data as string | undefined, site);
      const file = storeFile(opts, data);
      let models;
      const useModels = opts.models !== false;
      const needStore = (useModels || opts.save) && (existsSync(file) || opts.save);
      const store = needStore ? await openStore({ data, db: opts.db as string | undefined }) : undefined;
      try {
        if (useModels && store) models = await loadModels(store);
        const res = await read(files, mapping);
        const bad = unusable(res);
        if (bad.length) throw new UsageError(`no row of ${bad.join(', ')} maps onto the access model (wrong --mapping?)`);
        const monitor = new AccessMonitor({
          models, warrants, site: site.access, showTargets: Boolean(opts.showTargets),
          params: threshold !== undefined ? { threshold } : undefined,
        });
        const cov = monitor.coverage;
        if (!cov.warrants) warn('no --warrants: the warrant checks (no_warrant, unauthorized_operator) are off');
        if (!cov.jump_hosts) warn('the site file declares no access.jump_hosts: the undeclared_source check is off');
        if (useModels && !cov.models) warn(`no learned models in ${file} (run \`tidewatch access learn\`): behaviour anomalies are off`);
        const alerts: Alert[] = [];
        for (const r of res.records) for (const a of monitor.process(r.event, r.source)) alerts.push(a);
        alerts.push(...monitor.flush());
        alerts.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
        if (opts.save && store) {
          const n = await store.insertAlerts(alerts);
          process.stderr.write(`tidewatch: stored ${n} new alerts in ${file}\n`);
        }
        const recs = alerts.map(accessAlertRecord);
        if (format === 'jsonl') {
          const w = new JsonlWriter();
          for (const r of recs) await w.write(r);
          await w.flush();
        } else if (format === 'json') {
          await writeOut(JSON.stringify({
            alerts: recs,
            summary: { events: res.counts.events, rejected_rows: res.counts.errors, alerts: recs.length, by_kind: monitor.stats.alerts, operator_hours: monitor.stats.operator_hours },
          }, null, 2) + '\n');
        } else {
          await writeOut(renderTable(recs, [
            { header: 'time', get: (r) => r.time },
            { header: 'kind', get: (r) => r.kind },
            { header: 'severity', get: (r) => r.severity },
            { header: 'operator', get: (r) => r.operator },
            { header: 'source', get: (r) => { const s = r.source as { file: string; line?: number; lines?: number[] }; return s.line !== undefined ? `${s.file}:${s.line}` : `${s.file}:${s.lines?.[0]}+${(s.lines?.length ?? 1) - 1}`; }, max: 40 },
            { header: 'reason', get: (r) => (r.reasons as string[]).slice(r.kind === 'behaviour_anomaly' ? 1 : 0).join(' '), max: 140 },
          ]));
          process.stderr.write(`tidewatch: ${res.counts.events} events, ${recs.length} alerts${res.counts.errors ? `, ${res.counts.errors} rows did not map` : ''}\n`);
        }
        process.exitCode = recs.length ? EXIT_FOUND : EXIT_OK;
      } finally {
        await store?.close();
      }
    });
}
